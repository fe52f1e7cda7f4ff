import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { startChildService } from "./support/child-service";
import { Client } from "./support/client";
import { Seed } from "./support/seed";

describe("the embedded default database", () => {
  const dataDirs: string[] = [];
  /** `npm start` as an operator runs it, minus the build step: no DATABASE_URL, a data directory. */
  const dataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "keyfob-embedded-"));
    dataDirs.push(dir);
    return dir;
  };
  after(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("serves GraphQL without DATABASE_URL (key search and rotation included), keeps data across a restart, and locks its directory", async () => {
    const dir = dataDir();
    const first = await startChildService({ KEYFOB_DATA_DIR: dir });
    assert.match(first.output(), /embedded database/i);
    assert.match(first.output(), /DATABASE_URL/);
    assert.match(
      first.output(),
      /survives keyfob crashing or being killed, but not the machine crashing/,
    );
    const owner = await new Seed(new Client(first.url)).user();
    const org = await owner.organization("survives-restarts");
    // The key lifecycle on PGlite: the trigram search (pg_trgm, loaded by embedded.ts) and a
    // rotation whose old secret still works during its grace period.
    const key = await org.apiKey({ description: "Embedded deploy bot" });
    const found = await owner.client.query(
      `query ($id: ID!) { organization(id: $id) {
         apiKeys(first: 5, filter: { search: "DEPLOY B" }) { totalCount } } }`,
      { id: org.id },
    );
    assert.equal(found.organization.apiKeys.totalCount, 1);
    const rotated = await key.rotate({ gracePeriodSeconds: 60 });
    for (const fixture of [key, rotated]) {
      assert.equal((await fixture.client.raw(`{ viewer { __typename } }`)).status, 200);
    }

    const second = startChildService({ KEYFOB_DATA_DIR: dir });
    await assert.rejects(second, /Another keyfob process is using the embedded database/);

    assert.equal(await first.stop(), 0, "SIGTERM drains and exits 0");

    const again = await startChildService({ KEYFOB_DATA_DIR: dir });
    try {
      const client = new Client(again.url, owner.client.credentials);
      const data = await client.query(`query ($id: ID!) { organization(id: $id) { name } }`, {
        id: org.id,
      });
      assert.deepEqual(data, { organization: { name: "survives-restarts" } });
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });
});
