import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Client } from "./support/client";
import { accessToken, basic, oauthPost } from "./support/oauth";
import { Seed, type KeyFixture, type OrganizationFixture } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const VIEWER = `{ viewer { __typename } }`;

/** Milliseconds until `client` is refused with `status`, polling every 20 ms, or throws after 3 s. */
async function msUntilRefused(client: Client, status: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 3_000) {
    if ((await client.raw(VIEWER)).status === status) return Date.now() - started;
    await sleep(20);
  }
  throw new Error(`still admitted after 3 s`);
}

/**
 * A token obtained on the first instance, and clients using it on both; the second has it cached,
 * so only the key-change channel can tell it the token ended.
 */
async function tokenOnBoth(first: TestService, second: TestService, key: KeyFixture) {
  const { token, expiresIn } = await accessToken(first.url, key);
  const onFirst = new Client(first.url, { kind: "bearer", token });
  const onSecond = new Client(second.url, { kind: "bearer", token });
  assert.equal((await onFirst.raw(VIEWER)).status, 200);
  assert.equal((await onSecond.raw(VIEWER)).status, 200, "warms the second instance's cache");
  assert.equal((await onSecond.raw(VIEWER)).status, 200);
  assert.ok(second.service.services.verifiedTokens.size > 0, "the token is cached");
  return { token, expiresIn, onFirst, onSecond };
}

describe("ending access tokens across instances", () => {
  let first: TestService;
  let second: TestService;
  let org: OrganizationFixture;
  before(async () => {
    [first, second] = await Promise.all([startTestService(), startTestService()]);
    org = await (await new Seed(first.client).user()).organization();
  });
  after(() => Promise.all([first.stop(), second.stop()]));

  /** The change ends the token at once where it was made and within 1 s on the other instance. */
  async function endsEverywhere(
    t: { diagnostic(message: string): void },
    what: string,
    onFirst: Client,
    onSecond: Client,
    status = 401,
  ) {
    assert.equal((await onFirst.raw(VIEWER)).status, status, "refused at once where it changed");
    const elapsed = await msUntilRefused(onSecond, status);
    assert.ok(elapsed < 1_000, `refused after ${elapsed} ms`);
    t.diagnostic(`${what}: refused on the other instance after ${elapsed} ms`);
  }

  it("deleting the key", async (t) => {
    const key = await org.apiKey({ roles: ["ORG_OWNER"] });
    const { onFirst, onSecond } = await tokenOnBoth(first, second, key);
    await org.client.mutate(
      `mutation ($input: DeleteOrganizationApiKeyInput!) { deleteOrganizationApiKey(input: $input) { deletedApiKeyId userErrors { code } } }`,
      { input: { apiKeyId: key.id } },
    );
    await endsEverywhere(t, "key deleted", onFirst, onSecond);
  });

  it("disabling the key (and enabling it brings the token back while it lives)", async (t) => {
    const key = await org.apiKey();
    const { onFirst, onSecond } = await tokenOnBoth(first, second, key);
    await key.update({ enabled: false });
    await endsEverywhere(t, "key disabled", onFirst, onSecond);
    await key.update({ enabled: true });
    assert.equal((await onFirst.raw(VIEWER)).status, 200);
  });

  it("revoking the secret that obtained it; a token of the other secret keeps working", async (t) => {
    const key = await org.apiKey();
    const rotated = await key.rotate({ gracePeriodSeconds: 3_600 });
    const old = await tokenOnBoth(first, second, key);
    const fresh = await tokenOnBoth(first, second, rotated);
    const [, oldSecret] = await key.secrets();
    await key.revokeSecret(oldSecret.id);
    await endsEverywhere(t, "secret revoked", old.onFirst, old.onSecond);
    assert.equal((await fresh.onSecond.raw(VIEWER)).status, 200);
  });

  it("rotating the secret out with no grace period", async (t) => {
    const key = await org.apiKey();
    const { onFirst, onSecond } = await tokenOnBoth(first, second, key);
    const rotated = await key.rotate({ gracePeriodSeconds: 0 });
    await endsEverywhere(t, "rotated, grace 0", onFirst, onSecond);
    assert.equal((await tokenOnBoth(first, second, rotated)).expiresIn, 3600);
  });

  it("the end of its secret's grace period, on both instances, although cached", async (t) => {
    const key = await org.apiKey();
    await key.rotate({ gracePeriodSeconds: 2 });
    const [, old] = await key.secrets();
    const end = Date.parse(old.expiresAt!);
    const { expiresIn, onFirst, onSecond } = await tokenOnBoth(first, second, key);
    assert.ok(expiresIn <= 2, `expires_in ${expiresIn} stops at the grace's end`);
    await sleep(Math.max(0, end - Date.now() - 200));
    for (const client of [onFirst, onSecond]) {
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
  });

  it("the organization starting to require an access list the key does not have (403)", async (t) => {
    const relaxed = await (await new Seed(first.client).user()).organization();
    await relaxed.setAccessListRequired(false);
    const key = await relaxed.apiKey({ accessList: [] });
    const { onFirst, onSecond } = await tokenOnBoth(first, second, key);
    await relaxed.setAccessListRequired(true);
    await endsEverywhere(t, "access list required", onFirst, onSecond, 403);
  });

  it("narrowing the key's access list (403 from the address it no longer holds)", async (t) => {
    const key = await org.apiKey({
      accessList: [{ cidrBlock: "127.0.0.0/8" }, { ipAddress: "127.0.0.2" }],
    });
    const { onFirst, onSecond } = await tokenOnBoth(first, second, key);
    await org.client.mutate(
      `mutation ($input: RemoveApiKeyAccessListEntryInput!) {
         removeApiKeyAccessListEntry(input: $input) { apiKey { id } userErrors { code } } }`,
      { input: { apiKeyId: key.id, entry: "127.0.0.0/8" } },
    );
    await endsEverywhere(t, "access list narrowed", onFirst, onSecond, 403);
  });

  describe("POST /oauth/revoke (RFC 7009)", () => {
    it("revokes the caller's token on every instance; the key's other tokens keep working", async (t) => {
      const key = await org.apiKey();
      const { token, onFirst, onSecond } = await tokenOnBoth(first, second, key);
      const other = await tokenOnBoth(first, second, key);
      const response = await oauthPost(first.url, "/oauth/revoke", {
        form: { token, token_type_hint: "access_token" },
        authorization: basic(key.publicKey, key.privateKey),
      });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.text, "{}");
      assert.equal(response.headers["cache-control"], "no-store");
      await endsEverywhere(t, "/oauth/revoke", onFirst, onSecond);
      assert.equal((await other.onSecond.raw(VIEWER)).status, 200);
    });

    it("with credentials in the body, and any hint", async () => {
      const key = await org.apiKey();
      const { token, onFirst } = await tokenOnBoth(first, second, key);
      const response = await oauthPost(second.url, "/oauth/revoke", {
        form: {
          token,
          token_type_hint: "refresh_token",
          client_id: key.publicKey,
          client_secret: key.privateKey,
        },
      });
      assert.equal(response.status, 200, response.text);
      assert.equal((await msUntilRefused(onFirst, 401)) < 1_000, true);
    });

    it("answers 200 for another key's token and leaves it alone, and for unknown or malformed tokens", async () => {
      const owner = await org.apiKey();
      const stranger = await org.apiKey();
      const { token, onSecond } = await tokenOnBoth(first, second, owner);
      for (const candidate of [token, "kfa_unknown", "x".repeat(500)]) {
        const response = await oauthPost(first.url, "/oauth/revoke", {
          form: { token: candidate },
          authorization: basic(stranger.publicKey, stranger.privateKey),
        });
        assert.equal(response.status, 200, response.text);
      }
      await sleep(100);
      assert.equal((await onSecond.raw(VIEWER)).status, 200, "another key cannot revoke it");
    });

    it("refuses a missing token and a wrong client like the token endpoint", async () => {
      const key = await org.apiKey();
      const missing = await oauthPost(first.url, "/oauth/revoke", {
        form: {},
        authorization: basic(key.publicKey, key.privateKey),
      });
      assert.equal(missing.status, 400);
      assert.equal(missing.json!.error, "invalid_request");
      const wrong = await oauthPost(first.url, "/oauth/revoke", {
        form: { token: "kfa_x" },
        authorization: basic(key.publicKey, "00000000-0000-4000-8000-000000000000"),
      });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json!.error, "invalid_client");
      assert.equal(wrong.headers["www-authenticate"], 'Basic realm="keyfob"');
    });
  });
});

describe("an access token's own expiry, across instances", () => {
  let first: TestService;
  let second: TestService;
  before(async () => {
    [first, second] = await Promise.all([
      startTestService({ OAUTH_TOKEN_TTL_SECONDS: "2" }),
      startTestService({ OAUTH_TOKEN_TTL_SECONDS: "2" }),
    ]);
  });
  after(() => Promise.all([first.stop(), second.stop()]));

  it("ends the token on both within 1 s of its expiry, although cached; pruning then deletes it", async (t) => {
    const org = await (await new Seed(first.client).user()).organization();
    const key = await org.apiKey();
    const issuedAt = Date.now();
    const { expiresIn, onFirst, onSecond } = await tokenOnBoth(first, second, key);
    assert.equal(expiresIn, 2);
    const end = issuedAt + 2_000;
    for (const client of [onFirst, onSecond]) {
      let status = 200;
      while (status === 200) {
        status = (await client.raw(VIEWER)).status;
        if (status === 200) await sleep(20);
      }
      assert.equal(status, 401);
      const late = Date.now() - end;
      assert.ok(late < 1_000, `refused ${late} ms after the expiry`);
      t.diagnostic(`token expiry: refused ${late} ms after it`);
    }
    const count = async () =>
      (
        await first.service.db.query(
          `SELECT count(*)::int AS n FROM oauth_access_tokens t
             JOIN api_keys k ON k.id = t.api_key_id WHERE k.public_key = $1`,
          [key.publicKey],
        )
      )[0].n;
    assert.equal(await count(), 1, "the expired row is still there");
    assert.ok((await first.service.services.oauthTokens.prune()) >= 1);
    assert.equal(await count(), 0);
  });
});
