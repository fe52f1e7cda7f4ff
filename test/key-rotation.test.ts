import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { toGlobalId } from "../src/graphql/global-id";
import {
  assertNotMentioned,
  assertReadsAsUnknown,
  codesAndFields,
  outcomeOf,
} from "./support/isolation";
import { Seed, type KeyFixture, type OrganizationFixture, type UserActor } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const VIEWER = `{ viewer { __typename ... on ApiKey { id } } }`;
const ERRORS = "userErrors { code field message }";
const ROTATE = `mutation ($input: RotateApiKeySecretInput!) {
  rotateApiKeySecret(input: $input) {
    apiKey { id publicKey privateKeyRedacted secrets { id privateKeyRedacted expiresAt } }
    privateKey ${ERRORS} } }`;
const REVOKE = `mutation ($input: RevokeApiKeySecretInput!) {
  revokeApiKeySecret(input: $input) { apiKey { id secrets { id } } ${ERRORS} } }`;
/** What a rotation must leave alone. */
const KEY_STATE = `query ($id: ID!) { apiKey(id: $id) {
  publicKey description roles enabled expiresAt
  accessList { cidrBlock } projectAssignments { project { id } roles } } }`;
const SECRET_NODE = `query ($id: ID!) { node(id: $id) { __typename id ... on ApiKeySecret { privateKeyRedacted } } }`;

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const unknownSecretId = () => toGlobalId("ApiKeySecret", randomUUID());

async function status(key: KeyFixture): Promise<number> {
  return (await key.client.raw(VIEWER)).status;
}

/** Polls until `check` passes or `withinMs` have gone: usage is written in the background. */
async function eventually(check: () => Promise<void>, withinMs = 3_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

describe("rotating and revoking a key's secrets", () => {
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

  describe("rotateApiKeySecret", () => {
    it("returns a new private key once and changes no public key, role, assignment or access list", async () => {
      const project = await org.project();
      const key = await project.apiKey({
        roles: ["GROUP_READ_ONLY"],
        accessList: [{ cidrBlock: "127.0.0.0/8" }, { ipAddress: "10.1.2.3" }],
      });
      const before = await stateOf(key.id);
      const payload = await org.client.mutate(ROTATE, { input: { apiKeyId: key.id } });
      assert.match(payload.privateKey, /^[0-9a-f]{8}-[0-9a-f]{4}-4/);
      assert.notEqual(payload.privateKey, key.privateKey);
      assert.equal(payload.apiKey.publicKey, key.publicKey);
      assert.equal(
        payload.apiKey.privateKeyRedacted,
        `********-****-****-${payload.privateKey.slice(-12)}`,
      );
      assert.deepEqual(await stateOf(key.id), before);
      const reread = await org.client.query(
        `query ($id: ID!) { apiKey(id: $id) { privateKeyRedacted } }`,
        { id: key.id },
      );
      assert.ok(!JSON.stringify(reread).includes(payload.privateKey), "shown once");
    });

    it("with no grace period (the default), refuses the old secret at once and admits the new one", async () => {
      const key = await org.apiKey();
      assert.equal(await status(key), 200, "warms the cache");
      const rotated = await key.rotate();
      assert.equal(await status(key), 401);
      assert.equal(await status(rotated), 200);
      const secrets = await key.secrets();
      assert.equal(secrets.length, 1);
      assert.equal(secrets[0].expiresAt, null);
    });

    it("admits both secrets during a grace period and refuses the old one a second after it ends", async () => {
      const key = await org.apiKey();
      const rotated = await key.rotate({ gracePeriodSeconds: 2 });
      const [newest, old] = await key.secrets();
      assert.equal(newest.expiresAt, null);
      assert.ok(old.expiresAt, "the old secret has an end");
      assert.equal(await status(key), 200);
      assert.equal(await status(rotated), 200);

      const end = Date.parse(old.expiresAt!);
      assert.ok(end - Date.now() > 500, "the grace period is still running");
      await sleep(end - Date.now() + 1_000);
      assert.equal(await status(key), 401, "the old secret, a second after its grace ended");
      assert.equal(await status(rotated), 200);
      assert.deepEqual(
        (await key.secrets()).map((secret) => secret.id),
        [newest.id],
      );
    });

    it("lists live secrets newest first; privateKeyRedacted shows the newest", async () => {
      const key = await org.apiKey();
      const second = await key.rotate({ gracePeriodSeconds: 3_600 });
      const third = await second.rotate({ gracePeriodSeconds: 3_600 });
      const secrets = await key.secrets();
      assert.deepEqual(
        secrets.map((secret) => secret.privateKeyRedacted.slice(-12)),
        [third, second, key].map((fixture) => fixture.privateKey.slice(-12)),
      );
      const created = secrets.map((secret) => Date.parse(secret.createdAt));
      assert.deepEqual(
        [...created].sort((a, b) => b - a),
        created,
      );
      const { apiKey } = await org.client.query(
        `query ($id: ID!) { apiKey(id: $id) { privateKeyRedacted } }`,
        { id: key.id },
      );
      assert.equal(apiKey.privateKeyRedacted, secrets[0].privateKeyRedacted);
    });

    it("never lets a grace period run past the key's own expiry, nor lengthens one already running", async () => {
      const keyExpiresAt = inMs(60 * 60_000);
      const key = await org.apiKey({ expiresAt: keyExpiresAt });
      await key.rotate({ gracePeriodSeconds: 604_800 });
      const [, first] = await key.secrets();
      assert.equal(first.expiresAt, keyExpiresAt);

      const short = await org.apiKey();
      await short.rotate({ gracePeriodSeconds: 60 });
      const [, graced] = await short.secrets();
      await short.rotate({ gracePeriodSeconds: 604_800 });
      const after = await short.secrets();
      assert.equal(after.length, 3);
      assert.equal(after.find((secret) => secret.id === graced.id)?.expiresAt, graced.expiresAt);
    });

    it("moves the lastUsedAt of each secret used, and the key's", async () => {
      const key = await org.apiKey();
      const rotated = await key.rotate({ gracePeriodSeconds: 600 });
      assert.equal(await status(rotated), 200);
      await eventually(async () => {
        const [newest, old] = await key.secrets();
        assert.ok(newest.lastUsedAt, "the new secret was used");
        assert.equal(old.lastUsedAt, null, "the old one not since the rotation");
      });
      assert.equal(await status(key), 200);
      await eventually(async () => {
        const [, old] = await key.secrets();
        assert.ok(old.lastUsedAt, "the old secret was used during the grace period");
      });
      const { apiKey } = await org.client.query(
        `query ($id: ID!) { apiKey(id: $id) { lastUsedAt } }`,
        { id: key.id },
      );
      assert.ok(apiKey.lastUsedAt);
    });

    it("shows a live secret through node(id) to whoever sees its key, and to nobody else", async () => {
      const key = await org.apiKey();
      const [secret] = await key.secrets();
      const { node } = await org.client.query(SECRET_NODE, { id: secret.id });
      assert.deepEqual(node, {
        __typename: "ApiKeySecret",
        id: secret.id,
        privateKeyRedacted: secret.privateKeyRedacted,
      });
      const stranger = await seed.user();
      const foreign = await stranger.client.raw(SECRET_NODE, { id: secret.id });
      const unknown = await stranger.client.raw(SECRET_NODE, { id: unknownSecretId() });
      assert.deepEqual(foreign.data, { node: null });
      assert.deepEqual(foreign.data, unknown.data);
      assertNotMentioned(foreign.text, secret.id);
      await key.rotate();
      assert.deepEqual((await org.client.query(SECRET_NODE, { id: secret.id })).node, null);
    });

    describe("user errors", () => {
      it("refuses a grace period below 0 or above 604800 seconds on its field, changing nothing", async () => {
        const key = await org.apiKey();
        const before = await key.secrets();
        for (const gracePeriodSeconds of [-1, 604_801]) {
          const errors = await org.client.userErrors(ROTATE, {
            input: { apiKeyId: key.id, gracePeriodSeconds },
          });
          assert.deepEqual(codesAndFields(errors), [["INVALID_INPUT", "input.gracePeriodSeconds"]]);
        }
        assert.deepEqual(await key.secrets(), before);
        assert.equal(await status(key), 200);
      });

      it(`refuses to hold more than 10 live secrets (LIMIT_EXCEEDED)`, async () => {
        let key = await org.apiKey();
        for (let i = 1; i < 10; i++) key = await key.rotate({ gracePeriodSeconds: 3_600 });
        assert.equal((await key.secrets()).length, 10);
        const errors = await org.client.userErrors(ROTATE, {
          input: { apiKeyId: key.id, gracePeriodSeconds: 3_600 },
        });
        assert.deepEqual(codesAndFields(errors), [["LIMIT_EXCEEDED", "input.apiKeyId"]]);
        assert.equal((await key.secrets()).length, 10);
      });
    });
  });

  describe("revokeApiKeySecret", () => {
    it("ends one secret at once, even one still in its grace period; the other keeps working", async () => {
      const key = await org.apiKey();
      assert.equal(await status(key), 200, "warms the cache");
      const rotated = await key.rotate({ gracePeriodSeconds: 3_600 });
      const [newest, old] = await key.secrets();
      const payload = await org.client.mutate(REVOKE, {
        input: { apiKeyId: key.id, secretId: old.id },
      });
      assert.deepEqual(payload.apiKey.secrets, [{ id: newest.id }]);
      assert.equal(await status(key), 401);
      assert.equal(await status(rotated), 200);
    });

    describe("user errors", () => {
      it("refuses to end the key's last live secret (LAST_SECRET), which keeps working", async () => {
        const key = await org.apiKey();
        const [only] = await key.secrets();
        const errors = await org.client.userErrors(REVOKE, {
          input: { apiKeyId: key.id, secretId: only.id },
        });
        assert.deepEqual(codesAndFields(errors), [["LAST_SECRET", "input.secretId"]]);
        assert.match(errors[0].message, /rotate/i);
        assert.equal(await status(key), 200);
      });

      it("answers an unknown, ended, garbage or other key's secret id alike: NOT_FOUND on secretId", async () => {
        const key = await org.apiKey();
        await key.rotate({ gracePeriodSeconds: 3_600 });
        const other = await org.apiKey();
        const [otherSecret] = await other.secrets();
        const ended = await org.apiKey();
        const [endedSecret] = await ended.secrets();
        await ended.rotate();

        const answers = [];
        for (const secretId of [unknownSecretId(), otherSecret.id, endedSecret.id, "garbage"]) {
          const result = await org.client.raw(REVOKE, { input: { apiKeyId: key.id, secretId } });
          assert.equal(result.errors, undefined, result.text);
          answers.push(result.data);
        }
        for (const answer of answers) {
          assert.deepEqual(answer, {
            revokeApiKeySecret: {
              apiKey: null,
              userErrors: [
                {
                  code: "NOT_FOUND",
                  field: ["input", "secretId"],
                  message: "No API key secret with this id.",
                },
              ],
            },
          });
        }
        assert.equal((await key.secrets()).length, 2);
        assert.equal(await status(other), 200);
      });
    });
  });

  describe("who may rotate and revoke", () => {
    it("a GROUP_OWNER or GROUP_USER_ADMIN of every project of an ORG_MEMBER key may", async () => {
      const project = await org.project();
      const key = await project.apiKey();
      for (const roles of [["GROUP_OWNER"], ["GROUP_USER_ADMIN"]]) {
        const admin = await project.member(roles);
        const rotated = await key.rotate({ gracePeriodSeconds: 60, by: admin.client });
        assert.equal(await status(rotated), 200);
        const [, old] = await key.secrets();
        await key.revokeSecret(old.id, admin.client);
        assert.equal((await key.secrets()).length, 1);
      }
    });

    it("an ORG_OWNER key may rotate another key's secret, and its own", async () => {
      const ownerKey = await org.apiKey({ roles: ["ORG_OWNER"] });
      const key = await org.apiKey();
      assert.equal(await status(await key.rotate({ by: ownerKey.client })), 200);
      const self = await ownerKey.rotate({ by: ownerKey.client, gracePeriodSeconds: 60 });
      assert.equal(await status(self), 200);
    });

    it("FORBIDDEN for a project admin when the key is in another project too, or holds an organization role beyond ORG_MEMBER", async () => {
      const [project, elsewhere] = await Promise.all([org.project(), org.project()]);
      const admin = await project.member(["GROUP_OWNER"]);
      const shared = await project.apiKey();
      await elsewhere.assign(shared, ["GROUP_READ_ONLY"]);
      const powerful = await org.apiKey({ roles: ["ORG_MEMBER", "ORG_READ_ONLY"] });
      await project.assign(powerful, ["GROUP_READ_ONLY"]);
      for (const key of [shared, powerful]) {
        const before = await key.secrets();
        assert.equal(
          await admin.client.errorCode(ROTATE, { input: { apiKeyId: key.id } }),
          "FORBIDDEN",
        );
        assert.equal(
          await admin.client.errorCode(REVOKE, {
            input: { apiKeyId: key.id, secretId: before[0].id },
          }),
          "FORBIDDEN",
        );
        assert.deepEqual(await key.secrets(), before);
      }
    });

    it("a project's GROUP_READ_ONLY member, an ORG_MEMBER and another organization get what an unknown id gets", async () => {
      const project = await org.project();
      const key = await project.apiKey();
      const [secret] = await key.secrets();
      const readOnly = await project.member(["GROUP_READ_ONLY"]);
      const member = await org.member(["ORG_MEMBER"]);
      const stranger = await (await seed.user()).organization();
      for (const client of [readOnly.client, member.client, stranger.client]) {
        await assertReadsAsUnknown(client, ROTATE, { gracePeriodSeconds: 60 }, "apiKeyId", key.id);
        await assertReadsAsUnknown(client, REVOKE, { secretId: secret.id }, "apiKeyId", key.id);
      }
      assert.deepEqual(
        (await key.secrets()).map((s) => s.id),
        [secret.id],
      );
    });

    it("an anonymous caller is UNAUTHENTICATED", async () => {
      const key = await org.apiKey();
      assert.equal(
        await service.client.errorCode(ROTATE, { input: { apiKeyId: key.id } }),
        "UNAUTHENTICATED",
      );
    });
  });

  describe("concurrency", () => {
    it("concurrent revocations of a key's two secrets end exactly one: the key always keeps a live secret", async () => {
      for (let round = 0; round < 5; round++) {
        const key = await org.apiKey();
        const rotated = await key.rotate({ gracePeriodSeconds: 3_600 });
        const secrets = await key.secrets();
        const results = await Promise.all(
          secrets.map((secret) =>
            org.client.raw(REVOKE, { input: { apiKeyId: key.id, secretId: secret.id } }),
          ),
        );
        assert.deepEqual(results.map(outcomeOf).sort(), ["LAST_SECRET", "ok"]);
        assert.equal((await key.secrets()).length, 1);
        const working = [await status(key), await status(rotated)].filter((s) => s === 200);
        assert.equal(working.length, 1);
      }
    });

    it("concurrent rotations with grace keep their order: the one that ran last is newest and the only one without an end", async () => {
      const key = await org.apiKey();
      const results = await Promise.all(
        [1, 2, 3].map(() =>
          org.client.raw(ROTATE, { input: { apiKeyId: key.id, gracePeriodSeconds: 3_600 } }),
        ),
      );
      assert.deepEqual(results.map(outcomeOf), ["ok", "ok", "ok"]);
      const secrets = await key.secrets();
      assert.equal(secrets.length, 4);
      assert.deepEqual(
        secrets.map((secret) => secret.expiresAt === null),
        [true, false, false, false],
      );
      const { apiKey } = await org.client.query(
        `query ($id: ID!) { apiKey(id: $id) { privateKeyRedacted } }`,
        { id: key.id },
      );
      assert.equal(apiKey.privateKeyRedacted, secrets[0].privateKeyRedacted);
    });

    it("concurrent rotations without grace leave exactly one live secret: the last one's", async () => {
      const key = await org.apiKey();
      const results = await Promise.all(
        [1, 2, 3].map(() => org.client.raw(ROTATE, { input: { apiKeyId: key.id } })),
      );
      assert.deepEqual(results.map(outcomeOf), ["ok", "ok", "ok"]);
      const secrets = await key.secrets();
      assert.equal(secrets.length, 1);
      const issued = results.map((result) => (result.data as any).rotateApiKeySecret.privateKey);
      const admitted = [];
      for (const privateKey of issued) admitted.push(await status(key.withPrivateKey(privateKey)));
      assert.deepEqual(admitted.filter((s) => s === 200).length, 1);
    });
  });
});
