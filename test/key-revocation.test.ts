import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Client } from "./support/client";
import { Seed, type OrganizationFixture } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const VIEWER = `{ viewer { __typename } }`;
const REMOVE_ENTRY = `mutation ($input: RemoveApiKeyAccessListEntryInput!) {
  removeApiKeyAccessListEntry(input: $input) { apiKey { id } userErrors { code } } }`;

/** Milliseconds until `client` is refused with `status`, polling every 20 ms, or throws after 3 s. */
async function msUntilRefused(
  client: Client,
  status: number,
  localAddress?: string,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 3_000) {
    if ((await client.raw(VIEWER, {}, { localAddress })).status === status)
      return Date.now() - started;
    await sleep(20);
  }
  throw new Error(`still admitted after 3 s`);
}

describe("revoking keys across instances (verified-key cache + LISTEN/NOTIFY)", () => {
  let first: TestService;
  let second: TestService;
  let org: OrganizationFixture;
  before(async () => {
    first = await startTestService();
    second = await startTestService();
    org = await (await new Seed(first.client).user()).organization();
  });
  after(async () => {
    await first.stop();
    await second.stop();
  });

  it("a key deleted through one instance is refused by the other within 1 s", async () => {
    const key = await org.apiKey({ roles: ["ORG_OWNER"] });
    const onSecond = new Client(second.url, key.client.credentials);
    assert.equal((await onSecond.raw(VIEWER)).status, 200, "warms the second instance's cache");
    assert.equal((await onSecond.raw(VIEWER)).status, 200);
    assert.ok(second.service.services.verifiedKeys.size > 0, "the key is cached");

    await org.client.mutate(
      `mutation ($input: DeleteOrganizationApiKeyInput!) { deleteOrganizationApiKey(input: $input) { deletedApiKeyId userErrors { code } } }`,
      { input: { apiKeyId: key.id } },
    );
    assert.equal(
      (await key.client.raw(VIEWER)).status,
      401,
      "refused at once where it was deleted",
    );
    const elapsed = await msUntilRefused(onSecond, 401);
    assert.ok(elapsed < 1_000, `refused after ${elapsed} ms`);
  });

  it("never admits a key from an address its narrowed access list no longer holds", async () => {
    const key = await org.apiKey({
      accessList: [{ cidrBlock: "127.0.0.0/8" }, { ipAddress: "127.0.0.1" }],
    });
    const onSecond = new Client(second.url, key.client.credentials);
    assert.equal((await key.client.raw(VIEWER, {}, { localAddress: "127.0.0.40" })).status, 200);
    assert.equal((await onSecond.raw(VIEWER, {}, { localAddress: "127.0.0.40" })).status, 200);

    // Requests keep coming while the list is narrowed to 127.0.0.1.
    let narrowedAt = Infinity;
    const admittedAfter: number[] = [];
    let stop = false;
    const hammer = (async () => {
      while (!stop) {
        const sent = Date.now();
        const result = await key.client.raw(VIEWER, {}, { localAddress: "127.0.0.40" });
        if (result.status === 200 && sent > narrowedAt) admittedAfter.push(sent);
      }
    })();
    await sleep(50);
    await org.client.mutate(REMOVE_ENTRY, { input: { apiKeyId: key.id, entry: "127.0.0.0/8" } });
    narrowedAt = Date.now();
    await sleep(100);
    stop = true;
    await hammer;
    assert.deepEqual(
      admittedAfter,
      [],
      "a request sent after the change was admitted by a stale cache",
    );

    const elapsed = await msUntilRefused(onSecond, 403, "127.0.0.40");
    assert.ok(elapsed < 1_000, `the other instance refused after ${elapsed} ms`);
    assert.equal((await onSecond.raw(VIEWER, {}, { localAddress: "127.0.0.1" })).status, 200);
  });

  it("a key disabled through one instance is refused by the other within 1 s, and back when enabled", async (t) => {
    const key = await org.apiKey();
    const onSecond = new Client(second.url, key.client.credentials);
    assert.equal((await onSecond.raw(VIEWER)).status, 200, "warms the second instance's cache");
    await key.update({ enabled: false });
    assert.equal(
      (await key.client.raw(VIEWER)).status,
      401,
      "refused at once where it was disabled",
    );
    const elapsed = await msUntilRefused(onSecond, 401);
    assert.ok(elapsed < 1_000, `refused after ${elapsed} ms`);
    await key.update({ enabled: true });
    const started = Date.now();
    while ((await onSecond.raw(VIEWER)).status !== 200) {
      assert.ok(Date.now() - started < 1_000, "admitted again within 1 s");
      await sleep(20);
    }
    t.diagnostic(
      `disabled: refused elsewhere after ${elapsed} ms; enabled: admitted after ${Date.now() - started} ms`,
    );
  });

  it("a secret revoked through one instance is refused by the other within 1 s; the other secret is not", async (t) => {
    const key = await org.apiKey();
    const rotated = await key.rotate({ gracePeriodSeconds: 3_600 });
    const oldOnSecond = new Client(second.url, key.client.credentials);
    const newOnSecond = new Client(second.url, rotated.client.credentials);
    assert.equal((await oldOnSecond.raw(VIEWER)).status, 200);
    assert.equal((await newOnSecond.raw(VIEWER)).status, 200);
    const [, old] = await key.secrets();
    await key.revokeSecret(old.id);
    assert.equal(
      (await key.client.raw(VIEWER)).status,
      401,
      "refused at once where it was revoked",
    );
    const elapsed = await msUntilRefused(oldOnSecond, 401);
    assert.ok(elapsed < 1_000, `refused after ${elapsed} ms`);
    assert.equal((await newOnSecond.raw(VIEWER)).status, 200);
    t.diagnostic(`revoked secret: refused elsewhere after ${elapsed} ms`);
  });

  it("a secret whose grace period ends is refused by both instances within 1 s of its end, although cached", async (t) => {
    const key = await org.apiKey();
    const rotated = await key.rotate({ gracePeriodSeconds: 2 });
    const [, old] = await key.secrets();
    const end = Date.parse(old.expiresAt!);
    const onSecond = new Client(second.url, key.client.credentials);
    // Both instances verify, and cache, the old secret while its grace runs.
    assert.equal((await key.client.raw(VIEWER)).status, 200);
    assert.equal((await onSecond.raw(VIEWER)).status, 200);
    await sleep(Math.max(0, end - Date.now() - 200));
    for (const client of [key.client, onSecond]) {
      let status = 200;
      while (status === 200) {
        status = (await client.raw(VIEWER)).status;
        if (status === 200) await sleep(20);
      }
      assert.equal(status, 401);
      const late = Date.now() - end;
      assert.ok(late < 1_000, `refused ${late} ms after the grace ended`);
      t.diagnostic(`end of grace: refused ${late} ms after it`);
    }
    assert.equal(
      (await new Client(second.url, rotated.client.credentials).raw(VIEWER)).status,
      200,
    );
  });

  it("a key whose expiry is brought forward through one instance is refused by the other once it passes", async (t) => {
    const key = await org.apiKey();
    const onSecond = new Client(second.url, key.client.credentials);
    assert.equal((await onSecond.raw(VIEWER)).status, 200, "cached with no expiry");
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    await key.update({ expiresAt });
    await sleep(Math.max(0, Date.parse(expiresAt) - Date.now()));
    const elapsed = await msUntilRefused(onSecond, 401);
    assert.ok(elapsed < 1_000, `refused ${elapsed} ms after the new expiry`);
    t.diagnostic(`expiry brought forward: refused elsewhere ${elapsed} ms after it passed`);
  });

  it("drops cached keys of an organization whose access-list requirement changes", async () => {
    const relaxed = await (await new Seed(first.client).user()).organization();
    await relaxed.setAccessListRequired(false);
    const key = await relaxed.apiKey({ accessList: [] });
    const onSecond = new Client(second.url, key.client.credentials);
    assert.equal((await onSecond.raw(VIEWER)).status, 200);
    await relaxed.setAccessListRequired(true);
    const elapsed = await msUntilRefused(onSecond, 403);
    assert.ok(elapsed < 1_000, `refused after ${elapsed} ms`);
  });
});
