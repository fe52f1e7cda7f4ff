import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client } from "./support/client";
import { Seed, unique, type OrganizationFixture, type UserActor } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const ADD_ENTRIES = `mutation ($input: AddApiKeyAccessListEntriesInput!) {
  addApiKeyAccessListEntries(input: $input) { apiKey { id } userErrors { code field } } }`;
const UPDATE_PROJECT_KEY_ROLES = `mutation ($input: UpdateProjectApiKeyRolesInput!) {
  updateProjectApiKeyRoles(input: $input) { assignment { roles } userErrors { code } } }`;
const UPDATE_ORGANIZATION_KEY = `mutation ($input: UpdateOrganizationApiKeyInput!) {
  updateOrganizationApiKey(input: $input) { apiKey { roles } userErrors { code } } }`;
const REMOVE_MEMBER = `mutation ($input: RemoveOrganizationMemberInput!) {
  removeOrganizationMember(input: $input) { removedUserId userErrors { code field } } }`;
const CREATE_KEY = `mutation ($input: CreateOrganizationApiKeyInput!) {
  createOrganizationApiKey(input: $input) { apiKey { id } privateKey userErrors { code field } } }`;
const KEY = `query ($id: ID!) {
  apiKey(id: $id) { roles accessList { cidrBlock } projectAssignments { roles project { id } } } }`;
const MEMBERS = `query ($id: ID!) {
  organization(id: $id) { members(first: 50) { edges { node { roles user { id } } } } } }`;
const KEY_COUNT = `query ($id: ID!) { organization(id: $id) { apiKeys(first: 100) { totalCount } } }`;

/** The outcome of one of many concurrent mutations: its payload, or its one GraphQL error code. */
type Outcome =
  { kind: "payload"; payload: Record<string, any> } | { kind: "error"; code: string | undefined };

async function outcome(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
): Promise<Outcome> {
  const result = await client.raw(query, variables);
  assert.equal(result.status, 200, result.text);
  if (result.errors) {
    assert.equal(result.errors.length, 1, result.text);
    return { kind: "error", code: result.errors[0].extensions?.code };
  }
  return { kind: "payload", payload: Object.values(result.data!)[0] as Record<string, any> };
}

function succeeded(outcome: Outcome): boolean {
  return outcome.kind === "payload" && outcome.payload.userErrors.length === 0;
}

function userErrorCodes(outcomes: Outcome[]): string[] {
  return outcomes.flatMap((o) =>
    o.kind === "payload" ? o.payload.userErrors.map((e: { code: string }) => e.code) : [],
  );
}

const sorted = (roles: readonly string[]) => [...roles].sort();

describe("concurrent changes", () => {
  let service: TestService;
  let seed: Seed;
  let org: OrganizationFixture;
  before(async () => {
    service = await startTestService();
    seed = new Seed(service.client);
    org = await (await seed.user()).organization();
  });
  after(() => service.stop());

  it("keeps all 50 distinct access-list entries added concurrently to one key", async (t) => {
    const key = await org.apiKey({ accessList: [{ cidrBlock: "127.0.0.0/8" }] });
    const entries = Array.from({ length: 50 }, (_, i) => `10.50.${i}.7`);
    const outcomes = await Promise.all(
      entries.map((ipAddress) =>
        outcome(org.client, ADD_ENTRIES, {
          input: { apiKeyId: key.id, entries: [{ ipAddress }] },
        }),
      ),
    );
    assert.equal(outcomes.filter(succeeded).length, 50, JSON.stringify(outcomes));
    const data = await org.client.query(KEY, { id: key.id });
    const listed = new Set(data.apiKey.accessList.map((e: { cidrBlock: string }) => e.cidrBlock));
    assert.equal(listed.size, 51);
    for (const entry of entries) assert.ok(listed.has(`${entry}/32`), `${entry} is missing`);
    t.diagnostic(`50 concurrent adds: ${listed.size - 1} entries present`);
  });

  it("accepts exactly one of 20 concurrent adds of the same entry; the rest are DUPLICATE_ACCESS_LIST_ENTRY", async (t) => {
    const key = await org.apiKey({ accessList: [{ cidrBlock: "127.0.0.0/8" }] });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        outcome(org.client, ADD_ENTRIES, {
          input: { apiKeyId: key.id, entries: [{ cidrBlock: "192.0.2.0/24" }] },
        }),
      ),
    );
    assert.equal(outcomes.filter(succeeded).length, 1, JSON.stringify(outcomes));
    assert.deepEqual(
      userErrorCodes(outcomes),
      Array(19).fill("DUPLICATE_ACCESS_LIST_ENTRY"),
      JSON.stringify(outcomes),
    );
    const data = await org.client.query(KEY, { id: key.id });
    assert.deepEqual(data.apiKey.accessList.map((e: { cidrBlock: string }) => e.cidrBlock).sort(), [
      "127.0.0.0/8",
      "192.0.2.0/24",
    ]);
    t.diagnostic(`20 concurrent identical adds: 1 accepted, 19 DUPLICATE_ACCESS_LIST_ENTRY`);
  });

  it("leaves exactly one of the role sets submitted by concurrent updateProjectApiKeyRoles, never a mix", async () => {
    const project = await org.project();
    const key = await org.apiKey();
    await project.assign(key, ["GROUP_READ_ONLY"]);
    const sets = [
      ["GROUP_OWNER"],
      ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"],
      ["GROUP_CLUSTER_MANAGER", "GROUP_BACKUP_ADMIN", "GROUP_MONITORING_ADMIN"],
      ["GROUP_DATA_ACCESS_ADMIN", "GROUP_AUTOMATION_ADMIN"],
      ["GROUP_USER_ADMIN", "GROUP_DATA_ACCESS_READ_WRITE"],
      ["GROUP_MONITORING_ADMIN"],
      ["GROUP_BACKUP_ADMIN", "GROUP_READ_ONLY"],
      ["GROUP_AUTOMATION_ADMIN", "GROUP_CLUSTER_MANAGER"],
    ];
    for (let round = 0; round < 3; round++) {
      const outcomes = await Promise.all(
        sets.map((roles) =>
          outcome(org.client, UPDATE_PROJECT_KEY_ROLES, {
            input: { projectId: project.id, apiKeyId: key.id, roles },
          }),
        ),
      );
      assert.equal(outcomes.filter(succeeded).length, sets.length, JSON.stringify(outcomes));
      const data = await org.client.query(KEY, { id: key.id });
      assert.equal(data.apiKey.projectAssignments.length, 1);
      const final = sorted(data.apiKey.projectAssignments[0].roles);
      assert.ok(
        sets.some((roles) => JSON.stringify(sorted(roles)) === JSON.stringify(final)),
        `${final.join(",")} is not one of the submitted sets`,
      );
    }
  });

  it("leaves exactly one of the role sets submitted by concurrent updateOrganizationApiKey, never a mix", async () => {
    const key = await org.apiKey();
    const sets = [
      ["ORG_MEMBER"],
      ["ORG_READ_ONLY", "ORG_BILLING_ADMIN"],
      ["ORG_GROUP_CREATOR", "ORG_BILLING_READ_ONLY"],
      ["ORG_OWNER"],
      ["ORG_MEMBER", "ORG_BILLING_ADMIN", "ORG_GROUP_CREATOR"],
      ["ORG_BILLING_READ_ONLY"],
    ];
    for (let round = 0; round < 3; round++) {
      const outcomes = await Promise.all(
        sets.map((roles) =>
          outcome(org.client, UPDATE_ORGANIZATION_KEY, { input: { apiKeyId: key.id, roles } }),
        ),
      );
      assert.equal(outcomes.filter(succeeded).length, sets.length, JSON.stringify(outcomes));
      const final = sorted((await org.client.query(KEY, { id: key.id })).apiKey.roles);
      assert.ok(
        sets.some((roles) => JSON.stringify(sorted(roles)) === JSON.stringify(final)),
        `${final.join(",")} is not one of the submitted sets`,
      );
    }
  });

  describe("removing the last two owners at once", () => {
    /** The owners left, read as whichever of `users` can still see the organization. */
    async function ownersOf(organizationId: string, users: UserActor[]): Promise<string[]> {
      for (const user of users) {
        const data = await user.client.query(MEMBERS, { id: organizationId });
        if (!data.organization) continue;
        return data.organization.members.edges
          .filter((edge: any) => edge.node.roles.includes("ORG_OWNER"))
          .map((edge: any) => edge.node.user.id);
      }
      return [];
    }

    it("leaves one owner when each of two owners removes the other at the same moment", async (t) => {
      const losers = { LAST_OWNER: 0, refusedAccess: 0 };
      const rounds = 10;
      for (let round = 0; round < rounds; round++) {
        const first = await seed.user();
        const organization = await first.organization();
        const second = await organization.member(["ORG_OWNER"]);
        const outcomes = await Promise.all([
          outcome(first.client, REMOVE_MEMBER, {
            input: { organizationId: organization.id, userId: second.id },
          }),
          outcome(second.client, REMOVE_MEMBER, {
            input: { organizationId: organization.id, userId: first.id },
          }),
        ]);
        assert.equal(outcomes.filter(succeeded).length, 1, JSON.stringify(outcomes));
        // The loser either meets the last-owner rule or, having just lost its own membership,
        // sees the organization as unknown.
        for (const o of outcomes.filter((o) => !succeeded(o))) {
          const [error] = o.kind === "payload" ? o.payload.userErrors : [];
          if (error?.code === "LAST_OWNER") losers.LAST_OWNER++;
          else {
            assert.ok(
              (error?.code === "NOT_FOUND" && error.field.join(".") === "input.organizationId") ||
                (o.kind === "error" && o.code === "FORBIDDEN"),
              JSON.stringify(o),
            );
            losers.refusedAccess++;
          }
        }
        const owners = await ownersOf(organization.id, [first, second]);
        assert.equal(owners.length, 1, `owners left: ${owners.join(",")}`);
      }
      t.diagnostic(
        `${rounds} rounds of mutual removal, 1 owner left each time; the loser got LAST_OWNER ${losers.LAST_OWNER}×, lost access first ${losers.refusedAccess}×`,
      );
    });

    it("leaves one owner when an owner removes both owners at the same moment", async () => {
      for (let round = 0; round < 5; round++) {
        const first = await seed.user();
        const organization = await first.organization();
        const second = await organization.member(["ORG_OWNER"]);
        const outcomes = await Promise.all(
          [second, first].map((user) =>
            outcome(first.client, REMOVE_MEMBER, {
              input: { organizationId: organization.id, userId: user.id },
            }),
          ),
        );
        assert.equal(outcomes.filter(succeeded).length, 1, JSON.stringify(outcomes));
        const owners = await ownersOf(organization.id, [first, second]);
        assert.equal(owners.length, 1, `owners left: ${owners.join(",")}`);
      }
    });
  });

  describe("the per-organization key limit", () => {
    let limited: TestService;
    before(async () => {
      limited = await startTestService({ MAX_API_KEYS_PER_ORGANIZATION: "5" });
    });
    after(() => limited?.stop());

    it("creates exactly 5 of 12 concurrent keys and answers the rest with LIMIT_EXCEEDED", async (t) => {
      const owner = await new Seed(limited.client).user();
      const organization = await owner.organization();
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, () =>
          outcome(owner.client, CREATE_KEY, {
            input: {
              organizationId: organization.id,
              description: unique("limited"),
              roles: ["ORG_MEMBER"],
              accessList: [{ cidrBlock: "127.0.0.0/8" }],
            },
          }),
        ),
      );
      assert.equal(outcomes.filter(succeeded).length, 5, JSON.stringify(outcomes));
      assert.deepEqual(userErrorCodes(outcomes), Array(7).fill("LIMIT_EXCEEDED"));
      const data = await owner.client.query(KEY_COUNT, { id: organization.id });
      assert.equal(data.organization.apiKeys.totalCount, 5);
      t.diagnostic(`12 concurrent creations with a limit of 5: 5 created, 7 LIMIT_EXCEEDED`);
    });
  });
});
