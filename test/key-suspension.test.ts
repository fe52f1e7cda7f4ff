import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertReadsAsUnknown, codesAndFields } from "./support/isolation";
import { Seed, type OrganizationFixture, type UserActor } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const VIEWER = `{ viewer { __typename ... on ApiKey { id } } }`;
const UPDATE_KEY = `mutation ($input: UpdateOrganizationApiKeyInput!) {
  updateOrganizationApiKey(input: $input) { apiKey { id enabled } userErrors { code field message } } }`;
/** Everything suspension must keep. */
const KEY_STATE = `query ($id: ID!) { apiKey(id: $id) {
  enabled description roles expiresAt privateKeyRedacted
  secrets { id } accessList { cidrBlock } projectAssignments { project { id } roles } } }`;

describe("suspending a key (enabled: false)", () => {
  let service: TestService;
  let seed: Seed;
  let owner: UserActor;
  let org: OrganizationFixture;
  before(async () => {
    service = await startTestService();
    seed = new Seed(service.client);
    owner = await seed.user();
    org = await owner.organization();
  });
  after(() => service.stop());

  const stateOf = async (id: string) => (await org.client.query(KEY_STATE, { id })).apiKey;

  it("refuses a disabled key with 401 saying so, at once although it was cached, and keeps everything", async () => {
    const project = await org.project();
    const key = await project.apiKey({ roles: ["GROUP_READ_ONLY"] });
    assert.equal((await key.client.raw(VIEWER)).status, 200, "warms the cache");
    const before = await stateOf(key.id);
    assert.equal(before.enabled, true);

    assert.deepEqual(await key.update({ enabled: false }), { enabled: false, expiresAt: null });
    const refused = await key.client.raw(VIEWER);
    assert.equal(refused.status, 401, refused.text);
    assert.equal(refused.errors?.[0].extensions?.code, "UNAUTHENTICATED");
    assert.match(refused.errors![0].message, /disabled/);
    assert.deepEqual(await stateOf(key.id), { ...before, enabled: false });
  });

  it("enabled: true brings the key back as it was", async () => {
    const key = await org.apiKey();
    await key.update({ enabled: false });
    assert.equal((await key.client.raw(VIEWER)).status, 401);
    await key.update({ enabled: true });
    const data = await key.client.query(VIEWER);
    assert.equal(data.viewer.id, key.id);
  });

  it("does not count a disabled key's refusals as failed guesses (no 429 once it is enabled again)", async () => {
    const key = await org.apiKey();
    await key.update({ enabled: false });
    // The per-key limit is 10 failures in 15 minutes.
    for (let i = 0; i < 12; i++) assert.equal((await key.client.raw(VIEWER)).status, 401);
    await key.update({ enabled: true });
    assert.equal((await key.client.raw(VIEWER)).status, 200);
  });

  it("lets a disabled key's wrong private key read as any wrong private key, saying nothing about its state", async () => {
    const key = await org.apiKey();
    await key.update({ enabled: false });
    const wrong = key.withPrivateKey("00000000-0000-4000-8000-000000000000");
    const unknown = service.client.as({
      kind: "apiKey",
      publicKey: "zzzzzzzz",
      privateKey: "00000000-0000-4000-8000-000000000000",
    });
    const [a, b] = [await wrong.client.raw(VIEWER), await unknown.raw(VIEWER)];
    assert.equal(a.status, 401);
    assert.equal(a.text, b.text);
    assert.doesNotMatch(a.text, /disabled/);
  });

  describe("user errors", () => {
    it("refuses an update that names nothing to change (enabled: null counts as nothing)", async () => {
      const key = await org.apiKey();
      const errors = await org.client.userErrors(UPDATE_KEY, {
        input: { apiKeyId: key.id, enabled: null },
      });
      assert.deepEqual(codesAndFields(errors), [["INVALID_INPUT", "input"]]);
      assert.equal((await stateOf(key.id)).enabled, true);
    });
  });

  describe("who may suspend", () => {
    it("an ORG_OWNER key may disable another key", async () => {
      const ownerKey = await org.apiKey({ roles: ["ORG_OWNER"] });
      const key = await org.apiKey();
      const payload = await ownerKey.client.mutate(UPDATE_KEY, {
        input: { apiKeyId: key.id, enabled: false },
      });
      assert.equal(payload.apiKey.enabled, false);
    });

    it("a project admin who sees the key is FORBIDDEN; an ORG_MEMBER and another organization get what an unknown id gets", async () => {
      const project = await org.project();
      const key = await project.apiKey();
      const admin = await project.member(["GROUP_USER_ADMIN"]);
      assert.equal(
        await admin.client.errorCode(UPDATE_KEY, { input: { apiKeyId: key.id, enabled: false } }),
        "FORBIDDEN",
      );
      const member = await org.member(["ORG_MEMBER"]);
      const stranger = await (await seed.user()).organization();
      for (const client of [member.client, stranger.client]) {
        await assertReadsAsUnknown(client, UPDATE_KEY, { enabled: false }, "apiKeyId", key.id);
      }
      assert.equal((await stateOf(key.id)).enabled, true);
      assert.equal((await key.client.raw(VIEWER)).status, 200);
    });
  });
});
