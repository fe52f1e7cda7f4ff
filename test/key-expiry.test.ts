import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { assertReadsAsUnknown, codesAndFields } from "./support/isolation";
import { Seed, unique, type OrganizationFixture, type UserActor } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const DAY = 86_400_000;
const ERRORS = "userErrors { code field message }";
const VIEWER = `{ viewer { __typename ... on ApiKey { id } } }`;
const CREATE_ORG_KEY = `mutation ($input: CreateOrganizationApiKeyInput!) {
  createOrganizationApiKey(input: $input) { apiKey { id expiresAt } privateKey ${ERRORS} } }`;
const CREATE_PROJECT_KEY = `mutation ($input: CreateProjectApiKeyInput!) {
  createProjectApiKey(input: $input) { apiKey { id expiresAt } privateKey ${ERRORS} } }`;
const UPDATE_KEY = `mutation ($input: UpdateOrganizationApiKeyInput!) {
  updateOrganizationApiKey(input: $input) { apiKey { id expiresAt description } ${ERRORS} } }`;
const SETTINGS = `mutation ($input: UpdateOrganizationSettingsInput!) {
  updateOrganizationSettings(input: $input) { organization { maxApiKeyLifetimeDays apiAccessListRequired } ${ERRORS} } }`;
const POLICY = `query ($id: ID!) { organization(id: $id) { maxApiKeyLifetimeDays } }`;
const KEY_COUNT = `query ($id: ID!) { organization(id: $id) { apiKeys(first: 1) { totalCount } } }`;
const KEY_STATE = `query ($id: ID!) { apiKey(id: $id) { expiresAt enabled description } }`;

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

function keyInput(org: OrganizationFixture, extra: Record<string, unknown> = {}) {
  return {
    organizationId: org.id,
    description: unique("expiring"),
    roles: ["ORG_MEMBER"],
    accessList: [{ cidrBlock: "127.0.0.0/8" }],
    ...extra,
  };
}

/** Milliseconds between two ISO instants. */
const between = (from: string, to: string) => Date.parse(to) - Date.parse(from);

describe("key expiry and the organization's maximum key lifetime", () => {
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

  const freshOrg = async () => (await seed.user()).organization();
  const keyCount = async (o: OrganizationFixture) =>
    (await o.client.query(KEY_COUNT, { id: o.id })).organization.apiKeys.totalCount;

  describe("expiresAt", () => {
    it("is null (never) by default, and kept as given on both kinds of create", async () => {
      const never = await org.client.mutate(CREATE_ORG_KEY, { input: keyInput(org) });
      assert.equal(never.apiKey.expiresAt, null);
      const expiresAt = inMs(7 * DAY);
      const dated = await org.client.mutate(CREATE_ORG_KEY, {
        input: keyInput(org, { expiresAt }),
      });
      assert.equal(dated.apiKey.expiresAt, expiresAt);
      const project = await org.project();
      const projectKey = await org.client.mutate(CREATE_PROJECT_KEY, {
        input: {
          projectId: project.id,
          description: unique("project-expiring"),
          roles: ["GROUP_READ_ONLY"],
          accessList: [{ cidrBlock: "127.0.0.0/8" }],
          expiresAt,
        },
      });
      assert.equal(projectKey.apiKey.expiresAt, expiresAt);
    });

    it("refuses an expired key with 401 UNAUTHENTICATED saying it expired, at once even while it is cached", async () => {
      const key = await org.apiKey({ expiresAt: inMs(1_500) });
      assert.equal((await key.client.raw(VIEWER)).status, 200);
      assert.ok(service.service.services.verifiedKeys.size > 0, "the key is cached");
      await sleep(1_600);
      const refused = await key.client.raw(VIEWER);
      assert.equal(refused.status, 401, refused.text);
      assert.equal(refused.headers["www-authenticate"], 'Basic realm="keyfob"');
      assert.equal(refused.errors?.[0].extensions?.code, "UNAUTHENTICATED");
      assert.match(refused.errors![0].message, /expired at \d{4}-\d\d-\d\dT/);
    });

    it("keeps an expired key listed; an owner can give it a later expiresAt and it works again", async () => {
      const key = await org.apiKey({ expiresAt: inMs(1_000) });
      await sleep(1_100);
      assert.equal((await key.client.raw(VIEWER)).status, 401);
      const { organization } = await org.client.query(
        `query ($id: ID!) { organization(id: $id) { apiKeys(first: 100) { edges { node { id expiresAt } } } } }`,
        { id: org.id },
      );
      assert.ok(organization.apiKeys.edges.some((edge: any) => edge.node.id === key.id));
      const later = inMs(DAY);
      assert.deepEqual(await key.update({ expiresAt: later }), { enabled: true, expiresAt: later });
      assert.equal((await key.client.raw(VIEWER)).status, 200);
    });

    it("expiresAt: null on update means never; an update without it leaves the expiry alone", async () => {
      const key = await org.apiKey({ expiresAt: inMs(DAY) });
      const { apiKey } = await org.client.mutate(UPDATE_KEY, {
        input: { apiKeyId: key.id, description: unique("renamed") },
      });
      assert.ok(apiKey.expiresAt, "unchanged by an update that does not name it");
      assert.equal((await key.update({ expiresAt: null })).expiresAt, null);
    });

    it("refuses an expiresAt in the past or right now, on the field, and creates or changes nothing", async () => {
      const fresh = await freshOrg();
      for (const expiresAt of [inMs(-60_000), new Date().toISOString()]) {
        const errors = await fresh.client.userErrors(CREATE_ORG_KEY, {
          input: keyInput(fresh, { expiresAt }),
        });
        assert.deepEqual(codesAndFields(errors), [["INVALID_INPUT", "input.expiresAt"]]);
        assert.match(errors[0].message, /in the future/);
      }
      const project = await fresh.project();
      const projectErrors = await fresh.client.userErrors(CREATE_PROJECT_KEY, {
        input: {
          projectId: project.id,
          description: unique("past"),
          roles: ["GROUP_READ_ONLY"],
          expiresAt: inMs(-1),
        },
      });
      assert.deepEqual(codesAndFields(projectErrors), [["INVALID_INPUT", "input.expiresAt"]]);
      assert.equal(await keyCount(fresh), 0);

      const key = await fresh.apiKey({ expiresAt: inMs(DAY) });
      const before = (await fresh.client.query(KEY_STATE, { id: key.id })).apiKey;
      const updateErrors = await fresh.client.userErrors(UPDATE_KEY, {
        input: { apiKeyId: key.id, expiresAt: inMs(-1), description: "changed" },
      });
      assert.deepEqual(codesAndFields(updateErrors), [["INVALID_INPUT", "input.expiresAt"]]);
      assert.deepEqual((await fresh.client.query(KEY_STATE, { id: key.id })).apiKey, before);
    });

    it("refuses an expiresAt that is not a date-time as a GraphQL input error", async () => {
      const result = await org.client.raw(CREATE_ORG_KEY, {
        input: keyInput(org, { expiresAt: "next tuesday" }),
      });
      assert.equal(result.status, 400, result.text);
      assert.ok(result.errors?.length);
    });
  });

  describe("maxApiKeyLifetimeDays", () => {
    it("is null by default, set and removed by an owner through updateOrganizationSettings", async () => {
      const fresh = await freshOrg();
      assert.equal(
        (await fresh.client.query(POLICY, { id: fresh.id })).organization.maxApiKeyLifetimeDays,
        null,
      );
      const set = await fresh.client.mutate(SETTINGS, {
        input: { organizationId: fresh.id, maxApiKeyLifetimeDays: 90 },
      });
      assert.deepEqual(set.organization, {
        maxApiKeyLifetimeDays: 90,
        apiAccessListRequired: true,
      });
      const untouched = await fresh.client.mutate(SETTINGS, {
        input: { organizationId: fresh.id, apiAccessListRequired: false },
      });
      assert.equal(untouched.organization.maxApiKeyLifetimeDays, 90, "omitted: unchanged");
      const removed = await fresh.client.mutate(SETTINGS, {
        input: { organizationId: fresh.id, maxApiKeyLifetimeDays: null },
      });
      assert.equal(removed.organization.maxApiKeyLifetimeDays, null);
    });

    it("gives a key created without expiresAt now + the maximum, through both creates", async () => {
      const fresh = await freshOrg();
      await fresh.setMaxApiKeyLifetimeDays(30);
      const started = new Date().toISOString();
      const created = await fresh.client.mutate(CREATE_ORG_KEY, { input: keyInput(fresh) });
      const project = await fresh.project();
      const projectKey = await fresh.client.mutate(CREATE_PROJECT_KEY, {
        input: { projectId: project.id, description: unique("p"), roles: ["GROUP_READ_ONLY"] },
      });
      const finished = new Date().toISOString();
      for (const { apiKey } of [created, projectKey]) {
        assert.ok(between(started, apiKey.expiresAt) >= 30 * DAY, apiKey.expiresAt);
        assert.ok(between(finished, apiKey.expiresAt) <= 30 * DAY, apiKey.expiresAt);
      }
    });

    it("takes an expiresAt up to the maximum and refuses one beyond it, creating nothing", async () => {
      const fresh = await freshOrg();
      await fresh.setMaxApiKeyLifetimeDays(10);
      const within = await fresh.client.mutate(CREATE_ORG_KEY, {
        input: keyInput(fresh, { expiresAt: inMs(9 * DAY) }),
      });
      assert.ok(within.apiKey.expiresAt);
      const errors = await fresh.client.userErrors(CREATE_ORG_KEY, {
        input: keyInput(fresh, { expiresAt: inMs(11 * DAY) }),
      });
      assert.deepEqual(codesAndFields(errors), [["INVALID_INPUT", "input.expiresAt"]]);
      assert.match(errors[0].message, /within 10 days/);
      assert.equal(await keyCount(fresh), 1);
    });

    it("applies to keys created afterwards: older keys keep their expiry, but any new expiry obeys it", async () => {
      const fresh = await freshOrg();
      const older = await fresh.apiKey();
      await fresh.setMaxApiKeyLifetimeDays(5);
      assert.equal((await fresh.client.query(KEY_STATE, { id: older.id })).apiKey.expiresAt, null);
      assert.equal((await older.client.raw(VIEWER)).status, 200, "an older key still works");

      const never = await fresh.client.userErrors(UPDATE_KEY, {
        input: { apiKeyId: older.id, expiresAt: null },
      });
      assert.deepEqual(codesAndFields(never), [["INVALID_INPUT", "input.expiresAt"]]);
      assert.match(never[0].message, /within 5 days/);
      const tooLate = await fresh.client.userErrors(UPDATE_KEY, {
        input: { apiKeyId: older.id, expiresAt: inMs(6 * DAY) },
      });
      assert.deepEqual(codesAndFields(tooLate), [["INVALID_INPUT", "input.expiresAt"]]);
      const within = inMs(4 * DAY);
      assert.equal((await older.update({ expiresAt: within })).expiresAt, within);
    });

    it("refuses 0, 3651 and negative values on the field, changing nothing; takes 1 and 3650", async () => {
      const fresh = await freshOrg();
      await fresh.setMaxApiKeyLifetimeDays(30);
      for (const days of [0, 3651, -1]) {
        const errors = await fresh.client.userErrors(SETTINGS, {
          input: {
            organizationId: fresh.id,
            maxApiKeyLifetimeDays: days,
            apiAccessListRequired: false,
          },
        });
        assert.deepEqual(codesAndFields(errors), [
          ["INVALID_INPUT", "input.maxApiKeyLifetimeDays"],
        ]);
      }
      const unchanged = (
        await fresh.client.query(
          `query ($id: ID!) { organization(id: $id) { maxApiKeyLifetimeDays apiAccessListRequired } }`,
          { id: fresh.id },
        )
      ).organization;
      assert.deepEqual(unchanged, { maxApiKeyLifetimeDays: 30, apiAccessListRequired: true });
      for (const days of [1, 3650]) {
        await fresh.setMaxApiKeyLifetimeDays(days);
        assert.equal(
          (await fresh.client.query(POLICY, { id: fresh.id })).organization.maxApiKeyLifetimeDays,
          days,
        );
      }
    });
  });

  describe("who may change expiry and the lifetime policy", () => {
    it("only an ORG_OWNER sets the policy: an ORG_MEMBER is FORBIDDEN, another organization's owner gets what an unknown id gets", async () => {
      const fresh = await freshOrg();
      const member = await fresh.member(["ORG_MEMBER"]);
      assert.equal(
        await member.client.errorCode(SETTINGS, {
          input: { organizationId: fresh.id, maxApiKeyLifetimeDays: 1 },
        }),
        "FORBIDDEN",
      );
      await assertReadsAsUnknown(
        owner.client,
        SETTINGS,
        { maxApiKeyLifetimeDays: 1 },
        "organizationId",
        fresh.id,
      );
      assert.equal(
        (await fresh.client.query(POLICY, { id: fresh.id })).organization.maxApiKeyLifetimeDays,
        null,
      );
    });

    it("only an ORG_OWNER changes a key's expiry: a project admin who sees the key is FORBIDDEN, strangers get what an unknown id gets", async () => {
      const fresh = await freshOrg();
      const project = await fresh.project();
      const key = await project.apiKey();
      const admin = await project.member(["GROUP_OWNER"]);
      assert.equal(
        await admin.client.errorCode(UPDATE_KEY, {
          input: { apiKeyId: key.id, expiresAt: inMs(DAY) },
        }),
        "FORBIDDEN",
      );
      await assertReadsAsUnknown(
        owner.client,
        UPDATE_KEY,
        { expiresAt: inMs(DAY) },
        "apiKeyId",
        key.id,
      );
      assert.equal((await fresh.client.query(KEY_STATE, { id: key.id })).apiKey.expiresAt, null);
    });
  });
});
