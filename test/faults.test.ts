import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Client as PgClient } from "pg";
import { DEFAULT_POOL_SIZE } from "../src/db/data-source";
import { uuidOf } from "../src/graphql/global-id";
import { Client } from "./support/client";
import { request } from "./support/http";
import { sample, uncleanKinds, within, type Sample, type Verdict } from "./support/sampling";
import {
  Seed,
  unique,
  type KeyFixture,
  type OrganizationFixture,
  type UserActor,
} from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const VIEWER = `{ viewer { __typename ... on ApiKey { id } ... on User { id } } }`;
const KEYS = `query ($id: ID!) {
  organization(id: $id) { apiKeys(first: 100) { totalCount edges { node { id description accessList { cidrBlock } } } } } }`;
const CREATE_KEY = `mutation ($input: CreateOrganizationApiKeyInput!) {
  createOrganizationApiKey(input: $input) { apiKey { id accessList { cidrBlock } } privateKey userErrors { code } } }`;
const DELETE_KEY = `mutation ($input: DeleteOrganizationApiKeyInput!) {
  deleteOrganizationApiKey(input: $input) { deletedApiKeyId userErrors { code } } }`;
const ADD_ENTRIES = `mutation ($input: AddApiKeyAccessListEntriesInput!) {
  addApiKeyAccessListEntries(input: $input) { apiKey { id } userErrors { code } } }`;
const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token userErrors { code } } }`;
const UPDATE_KEY = `mutation ($input: UpdateOrganizationApiKeyInput!) {
  updateOrganizationApiKey(input: $input) { apiKey { description } userErrors { code } } }`;

/** Ends every connection the service holds: its pool ("keyfob") and its LISTEN ("keyfob-listen"). */
const TERMINATE_SERVICE_CONNECTIONS = `SELECT count(pg_terminate_backend(pid))::int AS terminated
  FROM pg_stat_activity
 WHERE datname = current_database() AND application_name LIKE 'keyfob%' AND pid <> pg_backend_pid()`;

describe("database faults", () => {
  const serverUrl = new URL(process.env.TEST_DATABASE_URL!);
  const name = `${serverUrl.pathname.slice(1)}_faults`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let service: TestService;
  let seed: Seed;
  let owner: UserActor;
  let org: OrganizationFixture;
  /** Connected to the fault database, not as the service: survives the terminations. */
  let sql: PgClient;
  /** Set by a test to watch the service's statements. */
  let onStatement: ((statement: string) => void) | undefined;

  async function admin(statement: string) {
    const client = new PgClient({ connectionString: serverUrl.toString() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  async function terminate(): Promise<number> {
    return (await sql.query(TERMINATE_SERVICE_CONNECTIONS)).rows[0].terminated;
  }

  async function readyStatus(): Promise<number> {
    try {
      return (await within(request(`${service.url}/readyz`), 5_000)).status;
    } catch {
      return 0;
    }
  }

  /** Milliseconds until /readyz is 200 and `check` succeeds, polling every 50 ms; throws after 10 s. */
  async function msUntilRecovered(check: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < 10_000) {
      if ((await readyStatus()) === 200 && (await check().catch(() => false)))
        return Date.now() - started;
      await sleep(50);
    }
    throw new Error("the service did not recover within 10 s");
  }

  /** Waits (at most 10 s) until the service's pool holds all its connections, as under load. */
  async function untilPoolFull(): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < 10_000) {
      const { rows } = await sql.query(
        `SELECT count(*)::int AS open FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'keyfob'`,
      );
      if (rows[0].open >= DEFAULT_POOL_SIZE) return;
      await sleep(20);
    }
    throw new Error(`the service's pool did not fill up to ${DEFAULT_POOL_SIZE} within 10 s`);
  }

  const viewerWorks = async () =>
    (await sample("viewer", () => owner.client.raw(VIEWER))).verdict === "ok";

  before(async () => {
    await admin(`CREATE DATABASE ${name}`);
    // Starting the service on the new database migrates it.
    service = await startTestService(
      { DATABASE_URL: url.toString() },
      { onQuery: (statement) => onStatement?.(statement) },
    );
    sql = new PgClient({ connectionString: url.toString(), application_name: "faults-test" });
    await sql.connect();
    seed = new Seed(service.client);
    owner = await seed.user();
    org = await owner.organization();
  });
  after(async () => {
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => {});
    await service?.stop();
    await sql?.end();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  describe("connections killed and refused under load", () => {
    const samples: Sample[] = [];
    let terminated = 0;
    let readyzDuringOutage = 0;
    let faultStarted = 0;
    let outageMs = 0;
    let recoveryMs = 0;
    let recovered = 0;

    before(async () => {
      const keys: KeyFixture[] = [];
      for (let i = 0; i < 20; i++) keys.push(await org.apiKey({ roles: ["ORG_OWNER"] }));
      assert.equal(await readyStatus(), 200);

      let stop = false;
      const deadline = Date.now() + 30_000;
      /** One of 20 loops of mixed reads and writes, each request bounded by a timeout. */
      const loop = async (index: number) => {
        const key = keys[index];
        for (let i = 0; i < 2_000 && !stop && Date.now() < deadline; i++) {
          switch (i % 6) {
            case 0:
              samples.push(await sample("key viewer", () => key.client.raw(VIEWER)));
              break;
            case 1:
              samples.push(await sample("key list", () => owner.client.raw(KEYS, { id: org.id })));
              break;
            case 2:
              samples.push(
                await sample("addApiKeyAccessListEntries", () =>
                  owner.client.raw(ADD_ENTRIES, {
                    input: {
                      apiKeyId: key.id,
                      entries: [{ ipAddress: `10.${index}.${i >> 8}.${i & 255}` }],
                    },
                  }),
                ),
              );
              break;
            case 3:
              samples.push(
                await sample("updateOrganizationApiKey", () =>
                  key.client.raw(UPDATE_KEY, {
                    input: { apiKeyId: key.id, description: unique("load") },
                  }),
                ),
              );
              break;
            case 4:
              // Anonymous, so it fails past authentication; few loops, as password hashing is slow.
              if (index >= 3) break;
              samples.push(
                await sample("signUp", () =>
                  service.client.raw(SIGN_UP, {
                    input: {
                      email: `${unique("load")}@example.test`,
                      password: `pw-${unique("load")}`,
                      name: "load",
                    },
                  }),
                ),
              );
              break;
            default: {
              const created = await sample("createOrganizationApiKey", () =>
                owner.client.raw(CREATE_KEY, {
                  input: {
                    organizationId: org.id,
                    description: unique("churn"),
                    roles: ["ORG_MEMBER"],
                    accessList: [{ cidrBlock: "127.0.0.0/8" }],
                  },
                }),
              );
              samples.push(created);
              const id = created.result?.data?.createOrganizationApiKey?.apiKey?.id;
              if (id) {
                samples.push(
                  await sample("deleteOrganizationApiKey", () =>
                    owner.client.raw(DELETE_KEY, { input: { apiKeyId: id } }),
                  ),
                );
              }
            }
          }
        }
      };
      const loops = Array.from({ length: 20 }, (_, index) => loop(index));

      // A connect refused while the pool is still growing would start the outage while the
      // older connections still answer: a real partial outage, but not the one under test.
      await untilPoolFull();
      faultStarted = Date.now();
      try {
        // New connections are refused (superusers included) while the old ones are killed.
        await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        terminated = await terminate();
        const polledUntil = Date.now() + 3_000;
        while (Date.now() < polledUntil && readyzDuringOutage !== 503) {
          readyzDuringOutage = await readyStatus();
          await sleep(50);
        }
        await sleep(1_000);
      } finally {
        await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      }
      outageMs = Date.now() - faultStarted;
      recoveryMs = await msUntilRecovered(viewerWorks);
      recovered = Date.now();
      await sleep(500);
      stop = true;
      await Promise.all(loops);
    });

    it("answers every request in the fault window with 503 and Retry-After: no INTERNAL_SERVER_ERROR, stack trace, SQL or database text, no hang", async (t) => {
      const inWindow = samples.filter((s) => s.sentAt >= faultStarted && s.sentAt < recovered);
      const count = (verdict: Verdict) => inWindow.filter((s) => s.verdict === verdict).length;
      const unclean = samples.filter((s) => s.verdict === "unclean");
      const kinds = uncleanKinds(samples);
      t.diagnostic(
        `${terminated} connections terminated; ${samples.length} requests in all, ${inWindow.length} in the fault window ` +
          `(${outageMs} ms outage + ${recoveryMs} ms recovery): ${count("clean failure")} failed cleanly, ` +
          `${count("ok")} succeeded, ${count("unclean")} failed uncleanly`,
      );
      for (const [kind, n] of kinds) t.diagnostic(`unclean ×${n}: ${kind}`);
      assert.ok(terminated > 0, "no service connection was found to terminate");
      assert.ok(
        count("clean failure") + count("unclean") > 0,
        "no request fell into the fault window",
      );
      assert.deepEqual(
        unclean.slice(0, 3).map((s) => s.detail),
        [],
        `${unclean.length} requests failed uncleanly`,
      );
    });

    it("logs the outage as one warning and its end as one line, never a stack per failed request", (t) => {
      const unreachable = service.logs.filter((line) => line.includes("database unreachable"));
      const back = service.logs.filter((line) => line.includes("database reachable again"));
      const errors = service.logs.filter((line) => line.includes('"level":50'));
      t.diagnostic(
        `${service.logs.length} log lines: ${unreachable.length} "database unreachable", ` +
          `${back.length} "reachable again", ${errors.length} at error level`,
      );
      const outageLines = service.logs
        .filter((line) => /database (unreachable|reachable)/.test(line))
        .join("\n");
      assert.equal(unreachable.length, 1, outageLines);
      assert.equal(back.length, 1, outageLines);
      assert.deepEqual(errors.slice(0, 2), []);
    });

    it("reports 503 on /readyz while the database refuses connections", () => {
      assert.equal(readyzDuringOutage, 503);
    });

    it("recovers by itself, without a restart, within 10 s of the database coming back", (t) => {
      t.diagnostic(`ready and serving again ${recoveryMs} ms after the outage ended`);
      const afterRecovery = samples.filter((s) => s.sentAt >= recovered + 100);
      assert.ok(afterRecovery.length > 0, "no request was sent after the recovery");
      assert.deepEqual(
        afterRecovery.filter((s) => s.verdict !== "ok").map((s) => s.detail),
        [],
        "requests still fail after the recovery",
      );
    });
  });

  it("leaves a key created with an access list either whole or absent when its transaction's connection is killed", async (t) => {
    const organization = await owner.organization();
    const organizationId = uuidOf(organization.id, "Organization")!;
    const accessList = [
      { cidrBlock: "127.0.0.0/8" },
      { ipAddress: "192.0.2.1" },
      { cidrBlock: "2001:db8::/32" },
    ];
    const created = new Set<string>();
    let attempts = 0;
    let interrupted = 0;
    let refusedAtAuthentication = 0;
    let terminated = 0;
    for (let burst = 0; burst < 4; burst++) {
      // Kill the connections as soon as some transaction is writing an access list.
      let inserts = 0;
      let killing: Promise<number> | undefined;
      onStatement = (statement) => {
        if (!/^INSERT INTO "api_key_access_list_entries"/.test(statement)) return;
        if (++inserts === 2 + burst * 3) killing = terminate();
      };
      const results = await Promise.all(
        Array.from({ length: 25 }, () =>
          sample("createOrganizationApiKey", () =>
            owner.client.raw(CREATE_KEY, {
              input: {
                organizationId: organization.id,
                description: unique("all-or-nothing"),
                roles: ["ORG_MEMBER"],
                accessList,
              },
            }),
          ),
        ),
      );
      onStatement = undefined;
      terminated += (await killing) ?? 0;
      attempts += results.length;
      for (const result of results) {
        assert.notEqual(result.verdict, "unclean", result.detail);
        if (result.result?.status === 503 && result.result.data === undefined)
          refusedAtAuthentication++;
        if (result.verdict === "clean failure") interrupted++;
        const key = result.result?.data?.createOrganizationApiKey?.apiKey;
        if (key) {
          assert.equal(key.accessList.length, 3, JSON.stringify(key));
          created.add(key.id);
        }
      }
      await msUntilRecovered(viewerWorks);
    }
    t.diagnostic(
      `${attempts} creations, ${terminated} connections terminated in 4 bursts: ${created.size} created, ` +
        `${interrupted} answered 503 with Retry-After, ${refusedAtAuthentication} of them while authenticating`,
    );
    assert.ok(terminated > 0, "no connection was killed");
    assert.ok(interrupted > 0, "no creation was interrupted");

    const partial = await sql.query(
      `SELECT k.id, count(e.id)::int AS entries
         FROM api_keys k LEFT JOIN api_key_access_list_entries e ON e.api_key_id = k.id
        WHERE k.organization_id = $1
        GROUP BY k.id HAVING count(e.id) <> 3`,
      [organizationId],
    );
    assert.deepEqual(partial.rows, [], "keys without their whole access list");
    const orphans = await sql.query(
      `SELECT count(*)::int AS orphans FROM api_key_access_list_entries e
        WHERE NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = e.api_key_id)`,
    );
    assert.equal(orphans.rows[0].orphans, 0, "access-list entries without a key");

    const listed = (await owner.client.query(KEYS, { id: organization.id })).organization.apiKeys;
    for (const edge of listed.edges) {
      assert.equal(edge.node.accessList.length, 3, JSON.stringify(edge.node));
    }
    const listedIds = new Set(listed.edges.map((edge: any) => edge.node.id));
    for (const id of created)
      assert.ok(listedIds.has(id), `${id} was reported created but is gone`);
  });

  it("writes a change and its events together: a connection killed mid-transaction leaves both or neither", async (t) => {
    const organization = await owner.organization();
    const organizationId = uuidOf(organization.id, "Organization")!;
    const accessList = [{ cidrBlock: "127.0.0.0/8" }, { ipAddress: "192.0.2.1" }];
    let attempts = 0;
    let interrupted = 0;
    let terminated = 0;
    for (let burst = 0; burst < 4; burst++) {
      // Kill every connection just as some transaction writes its events: after its change.
      let writes = 0;
      let killing: Promise<number> | undefined;
      onStatement = (statement) => {
        if (!/^INSERT INTO events/.test(statement.trimStart())) return;
        if (++writes === 3 + burst * 2) killing = terminate();
      };
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          sample("createOrganizationApiKey", () =>
            owner.client.raw(CREATE_KEY, {
              input: {
                organizationId: organization.id,
                description: unique("with-events"),
                roles: ["ORG_MEMBER"],
                accessList,
              },
            }),
          ),
        ),
      );
      onStatement = undefined;
      terminated += (await killing) ?? 0;
      attempts += results.length;
      for (const result of results) {
        assert.notEqual(result.verdict, "unclean", result.detail);
        if (result.verdict === "clean failure") interrupted++;
      }
      await msUntilRecovered(viewerWorks);
    }
    assert.ok(terminated > 0, "no connection was killed");
    assert.ok(interrupted > 0, "no creation was interrupted");

    const keys = await sql.query(`SELECT id, public_key FROM api_keys WHERE organization_id = $1`, [
      organizationId,
    ]);
    const events = await sql.query(
      `SELECT type, target_api_key_id, target_public_key FROM events
        WHERE organization_id = $1 AND type <> 'ORG_MEMBER_ADDED'`,
      [organizationId],
    );
    t.diagnostic(
      `${attempts} creations, ${terminated} connections terminated in 4 bursts: ${keys.rows.length} keys ` +
        `and ${events.rows.length} events committed, ${interrupted} answered 503 with Retry-After`,
    );
    const eventsOf = new Map<string, string[]>();
    for (const event of events.rows) {
      const list = eventsOf.get(event.target_api_key_id) ?? [];
      list.push(event.type);
      eventsOf.set(event.target_api_key_id, list);
    }
    for (const key of keys.rows) {
      assert.deepEqual(
        (eventsOf.get(key.id) ?? []).sort(),
        ["API_KEY_ACCESS_LIST_ENTRY_ADDED", "API_KEY_ACCESS_LIST_ENTRY_ADDED", "API_KEY_CREATED"],
        `key ${key.public_key} without all its events`,
      );
    }
    const keyIds = new Set(keys.rows.map((key) => key.id));
    const stray = events.rows.filter((event) => !keyIds.has(event.target_api_key_id));
    assert.deepEqual(stray, [], "events of a creation that did not commit");
    // And through the API, as an owner reads the trail.
    const { organization: read } = await owner.client.query(
      `query ($id: ID!) { organization(id: $id) {
         apiKeys(first: 100) { totalCount }
         events(first: 1, filter: { types: [API_KEY_CREATED] }) { totalCount } } }`,
      { id: organization.id },
    );
    assert.equal(read.events.totalCount, read.apiKeys.totalCount);
  });

  it("never admits a deleted key from the verified-key cache after its change channel is killed, and caches again once it is back", async (t) => {
    const other = await startTestService({ DATABASE_URL: url.toString() });
    try {
      const VIEWER_KEY = `{ viewer { __typename } }`;
      const deleteThroughOther = async (key: KeyFixture) => {
        const ownerOnOther = new Client(other.url, owner.client.credentials);
        for (let attempt = 0; attempt < 100; attempt++) {
          const result = await sample("deleteOrganizationApiKey", () =>
            ownerOnOther.raw(DELETE_KEY, { input: { apiKeyId: key.id } }),
          );
          assert.notEqual(result.verdict, "unclean", result.detail);
          if (result.verdict === "ok") return;
          await sleep(50);
        }
        throw new Error("could not delete the key through the other instance");
      };

      /** Milliseconds until `key` is cached on this instance, i.e. caching is on; throws after 10 s. */
      const msUntilCached = async (key: KeyFixture) => {
        const started = Date.now();
        while (!service.service.services.verifiedKeys.get(key.publicKey)) {
          assert.ok(Date.now() - started < 10_000, "caching did not come back on within 10 s");
          await sample("key viewer", () => key.client.raw(VIEWER_KEY));
          await sleep(100);
        }
        return Date.now() - started;
      };

      // Cached on this instance before the fault (earlier faults may still have caching off).
      const doomed = await org.apiKey({ roles: ["ORG_MEMBER"] });
      await msUntilCached(doomed);

      const terminated = await terminate();
      await deleteThroughOther(doomed);
      const deletedAt = Date.now();
      const admitted: number[] = [];
      // Fewer tries than the per-key failure limit, so throttling never hides the answer.
      for (let i = 0; i < 8; i++) {
        const result = await sample("key viewer", () =>
          doomed.client.raw(VIEWER_KEY, {}, { localAddress: "127.0.0.61" }),
        );
        if (result.result?.status === 200) admitted.push(Date.now() - deletedAt);
        else
          assert.ok(
            result.result?.status === 401 || result.verdict === "clean failure",
            result.detail,
          );
        await sleep(150);
      }
      assert.deepEqual(admitted, [], "a deleted key was admitted after the channel was killed");

      // Caching comes back on once the channel is restored, and invalidations arrive again.
      const revived = await org.apiKey({ roles: ["ORG_MEMBER"] });
      const cachingBackMs = await msUntilCached(revived);
      await deleteThroughOther(revived);
      const refusedFrom = Date.now();
      let refusedAfter = -1;
      while (Date.now() - refusedFrom < 1_000) {
        const result = await revived.client.raw(VIEWER_KEY, {}, { localAddress: "127.0.0.62" });
        if (result.status === 401) {
          refusedAfter = Date.now() - refusedFrom;
          break;
        }
        await sleep(20);
      }
      t.diagnostic(
        `${terminated} connections terminated; deleted key refused throughout; caching back after ${cachingBackMs} ms; ` +
          `a key deleted elsewhere then refused after ${refusedAfter} ms`,
      );
      assert.ok(
        refusedAfter >= 0,
        "a key deleted on the other instance was still admitted after 1 s",
      );
      assert.ok(
        service.logs.some((line) => line.includes("lost the key-change channel")),
        "the lost channel is logged",
      );
    } finally {
      await other.stop();
    }
  });
});
