import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { Client } from "./support/client";
import { Seed } from "./support/seed";

const MAIN = path.join(__dirname, "..", "src", "main.js");

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
}

/** `npm start` as an operator runs it, minus the build step: no DATABASE_URL, a data directory. */
function start(dataDir: string): Promise<Started> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    KEYFOB_DATA_DIR: dataDir,
    PORT: "0",
  };
  const child = spawn(process.execPath, [MAIN], { env });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /keyfob is listening on (http:\/\/[^ ]+) /.exec(output);
      if (match) resolve({ child, url: match[1], output: () => output });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

function stop(started: Started): Promise<number | null> {
  return new Promise((resolve) => {
    started.child.removeAllListeners("exit");
    started.child.on("exit", (code) => resolve(code));
    started.child.kill("SIGTERM");
  });
}

describe("the embedded default database", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "keyfob-embedded-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("serves GraphQL without DATABASE_URL (key search and rotation included), keeps data across a restart, and locks its directory", async () => {
    const first = await start(dataDir);
    assert.match(first.output(), /embedded database/i);
    assert.match(first.output(), /DATABASE_URL/);
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

    const second = start(dataDir);
    await assert.rejects(second, /Another keyfob process is using the embedded database/);

    assert.equal(await stop(first), 0, "SIGTERM drains and exits 0");

    const again = await start(dataDir);
    try {
      const client = new Client(again.url, owner.client.credentials);
      const data = await client.query(`query ($id: ID!) { organization(id: $id) { name } }`, {
        id: org.id,
      });
      assert.deepEqual(data, { organization: { name: "survives-restarts" } });
    } finally {
      assert.equal(await stop(again), 0);
    }
  });
});
