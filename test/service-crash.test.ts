import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Client as PgClient } from "pg";
import { uuidOf } from "../src/graphql/global-id";
import { startChildService, type ChildService } from "./support/child-service";
import { Client } from "./support/client";
import { registerSecret } from "./support/leaks";
import { MixedLoad, seedLoadActors } from "./support/mixed-load";
import { checkMutations, type MutationCheck } from "./support/mutation-check";
import { TEST_SECRET } from "./support/service";

const LOOPS = 6;
/** Long enough for a few usage flushes (one a second) before the kill. */
const LOAD_MS = 3_500;
/** The usage recorder flushes once a second; a crash may lose what it had not written yet. */
const USAGE_LOSS_BOUND_MS = 2_000;

const KEY_USAGE = `query ($id: ID!) { apiKey(id: $id) { accessList { usageCount } } }`;

describe("keyfob killed with SIGKILL under load", () => {
  const serverUrl = new URL(process.env.TEST_DATABASE_URL!);
  const name = `${serverUrl.pathname.slice(1)}_crash`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const env = {
    DATABASE_URL: url.toString(),
    KEYFOB_SECRET: TEST_SECRET,
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    MAX_API_KEYS_PER_ORGANIZATION: "100000",
  };
  let first: ChildService | undefined;
  let again: ChildService | undefined;
  let load: MixedLoad;
  let killedAt = 0;
  let check: MutationCheck;
  let owner: Client;

  async function admin(statement: string) {
    const client = new PgClient({ connectionString: serverUrl.toString() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  before(async () => {
    registerSecret(TEST_SECRET);
    await admin(`CREATE DATABASE ${name}`);
    first = await startChildService(env);
    load = new MixedLoad(await seedLoadActors(new Client(first.url), LOOPS));
    load.start();
    await sleep(LOAD_MS);
    await load.mutationInFlight();
    // The loops stop sending as the process dies; whatever was in flight gets no answer.
    const stopping = load.stop();
    killedAt = Date.now();
    await first.kill();
    await stopping;

    again = await startChildService(env);
    owner = new Client(again.url, load.actors.owner.client.credentials);
    check = await checkMutations(owner, load.mutations);
  });

  after(async () => {
    try {
      await first?.kill();
      if (again)
        assert.equal(await again.stop(), 0, "SIGTERM after the restart drains and exits 0");
    } finally {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });

  it("leaves no half-written key: every mutation answered with success is there, every other absent or whole", (t) => {
    const unanswered = load.mutations.filter((m) => m.verdict === "unclean").length;
    t.diagnostic(
      `${load.samples.length} requests from ${LOOPS} loops in ${LOAD_MS} ms, then SIGKILL; restarted in ${again!.startedInMs} ms. ` +
        `${check.checked} mutations checked (${unanswered} unanswered): ${check.presentAfterSuccess} present after success, ` +
        `${check.absentAfterError} absent and ${check.wholeAfterError} whole without an answer; ` +
        `${check.secretsVerified} private keys still authenticate`,
    );
    assert.ok(check.presentAfterSuccess > 0, "no mutation succeeded before the kill");
    assert.deepEqual(check.violations.slice(0, 5), [], `${check.violations.length} violations`);
  });

  it("has, in SQL, every key with its secret (digest and tail), its access list, and its project assignment", async () => {
    const organizations = load.actors.loops.map((loop) =>
      uuidOf(loop.organization.id, "Organization")!,
    );
    const projectKeys = load.mutations
      .filter((m) => m.kind === "createProjectApiKey")
      .map((m) => m.description!);
    const sql = new PgClient({ connectionString: url.toString() });
    await sql.connect();
    try {
      const halfMade = await sql.query(
        `SELECT k.id FROM api_keys k
          WHERE k.organization_id = ANY($1::uuid[])
            AND (NOT EXISTS (SELECT 1 FROM api_key_secrets s WHERE s.api_key_id = k.id
                              AND octet_length(s.digest) = 32 AND length(s.tail) = 12)
                 OR NOT EXISTS (SELECT 1 FROM api_key_access_list_entries e WHERE e.api_key_id = k.id))`,
        [organizations],
      );
      assert.deepEqual(
        halfMade.rows,
        [],
        "keys without a secret (digest and tail) or an access list",
      );
      const unassigned = await sql.query(
        `SELECT k.id FROM api_keys k
          WHERE k.description = ANY($1::text[])
            AND NOT EXISTS (SELECT 1 FROM api_key_project_assignments a WHERE a.api_key_id = k.id)`,
        [projectKeys],
      );
      assert.deepEqual(unassigned.rows, [], "project keys without their assignment");
    } finally {
      await sql.end();
    }
  });

  it("loses at most the usage counts of the last flush interval before the kill", async (t) => {
    let admitted = 0;
    let counted = 0;
    let lost = 0;
    let oldestLostMs = 0;
    for (const { viewerKey } of load.actors.loops) {
      const answers = load.admitted.get(viewerKey.id)!;
      const data = await owner.query(KEY_USAGE, { id: viewerKey.id });
      const usage: number = data.apiKey.accessList[0].usageCount;
      admitted += answers.length;
      counted += usage;
      const missing = Math.max(0, answers.length - usage);
      lost += missing;
      // Admissions are counted in order, so the lost ones are the latest.
      if (missing > 0) {
        oldestLostMs = Math.max(oldestLostMs, killedAt - answers[answers.length - missing]);
      }
    }
    const lastSecond = [...load.admitted.values()]
      .flat()
      .filter((answeredAt) => answeredAt > killedAt - 1_000).length;
    t.diagnostic(
      `${admitted} key requests admitted before the kill, ${counted} counted after the restart: ` +
        `${lost} lost (${lastSecond} were admitted in the last second), the oldest ${oldestLostMs} ms before the kill`,
    );
    assert.ok(admitted > 0, "no key request was admitted");
    assert.ok(
      oldestLostMs <= USAGE_LOSS_BOUND_MS,
      `usage admitted ${oldestLostMs} ms before the kill was lost`,
    );
  });
});
