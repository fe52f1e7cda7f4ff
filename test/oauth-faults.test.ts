import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Client as PgClient } from "pg";
import { basic, oauthPost } from "./support/oauth";
import { Seed, type KeyFixture } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

/** A database of its own, so refusing its connections disturbs no other test file. */
describe("the OAuth endpoints without a database", () => {
  const serverUrl = new URL(process.env.TEST_DATABASE_URL!);
  const name = `${serverUrl.pathname.slice(1)}_oauth_faults`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let service: TestService;
  let key: KeyFixture;

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
    await admin(`CREATE DATABASE ${name}`);
    service = await startTestService({ DATABASE_URL: url.toString() });
    key = await (await (await new Seed(service.client).user()).organization()).apiKey();
  });
  after(async () => {
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => {});
    await service?.stop();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it("answer 503 temporarily_unavailable with Retry-After, in OAuth's shape, and recover by themselves", async () => {
    const token = () =>
      oauthPost(service.url, "/oauth/token", {
        form: { grant_type: "client_credentials" },
        authorization: basic(key.publicKey, key.privateKey),
      });
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
    const refused = await token();
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.json?.error, "temporarily_unavailable");
    assert.ok(Number(refused.headers["retry-after"]) > 0);
    assert.equal(refused.headers["cache-control"], "no-store");
    const revoke = await oauthPost(service.url, "/oauth/revoke", {
      form: { token: "kfa_x" },
      authorization: basic(key.publicKey, key.privateKey),
    });
    assert.equal(revoke.status, 503, revoke.text);

    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    const started = Date.now();
    let status = 0;
    while (status !== 200 && Date.now() - started < 10_000) {
      status = (await token()).status;
      if (status !== 200) await sleep(100);
    }
    assert.equal(status, 200, "issues tokens again once the database is back");
  });
});
