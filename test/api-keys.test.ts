import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { fromGlobalId, toGlobalId } from "../src/graphql/global-id";
import type { Client } from "./support/client";
import {
  Seed,
  type KeyFixture,
  type OrganizationFixture,
  type ProjectFixture,
  type UserActor,
} from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const USER_ERRORS = `userErrors { code field message }`;
const KEY = `id publicKey privateKeyRedacted description roles createdAt lastUsedAt
  organization { id } projectAssignments { roles assignedAt project { id } }
  accessList { ipAddress cidrBlock comment }`;

const CREATE_ORG_KEY = `mutation ($input: CreateOrganizationApiKeyInput!) {
  createOrganizationApiKey(input: $input) { apiKey { ${KEY} } privateKey ${USER_ERRORS} } }`;
const UPDATE_ORG_KEY = `mutation ($input: UpdateOrganizationApiKeyInput!) {
  updateOrganizationApiKey(input: $input) { apiKey { ${KEY} } ${USER_ERRORS} } }`;
const DELETE_ORG_KEY = `mutation ($input: DeleteOrganizationApiKeyInput!) {
  deleteOrganizationApiKey(input: $input) { deletedApiKeyId ${USER_ERRORS} } }`;
const CREATE_PROJECT_KEY = `mutation ($input: CreateProjectApiKeyInput!) {
  createProjectApiKey(input: $input) { apiKey { ${KEY} } privateKey ${USER_ERRORS} } }`;
const ASSIGN = `mutation ($input: AssignApiKeyToProjectInput!) {
  assignApiKeyToProject(input: $input) {
    assignment { roles assignedAt apiKey { id } project { id } } ${USER_ERRORS} } }`;
const UPDATE_PROJECT_ROLES = `mutation ($input: UpdateProjectApiKeyRolesInput!) {
  updateProjectApiKeyRoles(input: $input) {
    assignment { roles apiKey { id } project { id } } ${USER_ERRORS} } }`;
const UNASSIGN = `mutation ($input: UnassignApiKeyFromProjectInput!) {
  unassignApiKeyFromProject(input: $input) { apiKey { ${KEY} } ${USER_ERRORS} } }`;

const READ_KEY = `query ($id: ID!) { apiKey(id: $id) { ${KEY} } }`;
const NODE = `query ($id: ID!) { node(id: $id) { __typename id ... on ApiKey { publicKey } } }`;
const ORG_KEYS = `query ($id: ID!) {
  organization(id: $id) { apiKeys(first: 100) { totalCount edges { node { id } } } } }`;
const PROJECT_KEYS = `query ($id: ID!) {
  project(id: $id) { apiKeys(first: 100) { totalCount edges { node { roles apiKey { id } } } } } }`;
const VIEWER = `{ viewer { __typename ... on ApiKey { id } } }`;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A well-formed id of a key that does not exist. */
const unknownKeyId = () => toGlobalId("ApiKey", randomUUID());
const unknownProjectId = () => toGlobalId("Project", randomUUID());

/** `[code, "input.field"]` pairs, de-duplicated and sorted, for comparing user errors. */
function problems(errors: { code: string; field: string[] | null }[]): [string, string][] {
  const seen = new Set(errors.map((e) => `${e.code} ${(e.field ?? []).join(".")}`));
  return [...seen].sort().map((text) => text.split(" ") as [string, string]);
}

async function readKey(client: Client, id: string) {
  return (await client.query(READ_KEY, { id })).apiKey;
}

async function keyCount(org: OrganizationFixture): Promise<number> {
  return (await org.client.query(ORG_KEYS, { id: org.id })).organization.apiKeys.totalCount;
}

async function projectKeys(project: ProjectFixture): Promise<[string, string[]][]> {
  const data = await project.client.query(PROJECT_KEYS, { id: project.id });
  return data.project.apiKeys.edges
    .map((edge: any) => [edge.node.apiKey.id, edge.node.roles])
    .sort();
}

function assignmentsOf(key: any): [string, string[]][] {
  return key.projectAssignments.map((a: any) => [a.project.id, a.roles]).sort();
}

/**
 * Runs `query` as `client` once with `foreignId` and once with an unknown id: the answers must be
 * identical (so the caller learns nothing), and the foreign id must appear nowhere in the response.
 */
async function assertLooksUnknown(
  client: Client,
  query: string,
  variables: (id: string) => Record<string, unknown>,
  foreignId: string,
  unknownId: string = unknownKeyId(),
): Promise<unknown> {
  const foreign = await client.raw(query, variables(foreignId));
  const unknown = await client.raw(query, variables(unknownId));
  assert.equal(foreign.status, unknown.status);
  assert.deepEqual(foreign.errors, unknown.errors);
  assert.deepEqual(foreign.data, unknown.data);
  assert.ok(!foreign.text.includes(foreignId), `response names ${foreignId}: ${foreign.text}`);
  const uuid = fromGlobalId(foreignId)?.uuid;
  if (uuid) assert.ok(!foreign.text.includes(uuid), `response names ${uuid}`);
  return foreign.data;
}

describe("API keys", () => {
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

  /** A fresh organization owned by a fresh user, for tests that count or compare keys. */
  const freshOrg = async () => (await seed.user()).organization();

  describe("createOrganizationApiKey", () => {
    it("creates a key: 8-letter public key, UUID v4 private key once, redacted tail", async () => {
      const payload = await owner.client.mutate(CREATE_ORG_KEY, {
        input: {
          organizationId: org.id,
          description: "CI deploys",
          roles: ["ORG_MEMBER", "ORG_BILLING_ADMIN"],
        },
      });
      assert.match(payload.apiKey.publicKey, /^[a-z]{8}$/);
      assert.match(payload.privateKey, UUID_V4);
      assert.equal(
        payload.apiKey.privateKeyRedacted,
        `********-****-****-${payload.privateKey.slice(-12)}`,
      );
      assert.equal(payload.apiKey.description, "CI deploys");
      assert.deepEqual(payload.apiKey.roles, ["ORG_MEMBER", "ORG_BILLING_ADMIN"]);
      assert.equal(payload.apiKey.organization.id, org.id);
      assert.deepEqual(payload.apiKey.projectAssignments, []);
      assert.deepEqual(payload.apiKey.accessList, []);
      assert.equal(payload.apiKey.lastUsedAt, null);
      assert.ok(!Number.isNaN(Date.parse(payload.apiKey.createdAt)));

      const read = await owner.client.raw(READ_KEY, { id: payload.apiKey.id });
      assert.equal((read.data as any).apiKey.privateKeyRedacted, payload.apiKey.privateKeyRedacted);
      assert.ok(!read.text.includes(payload.privateKey), "the private key is shown only once");
      const listed = await owner.client.raw(ORG_KEYS, { id: org.id });
      assert.ok(listed.text.includes(payload.apiKey.id));
      assert.ok(!listed.text.includes(payload.privateKey));
    });

    it("the new key authenticates with its public and private key", async () => {
      const key = await org.apiKey({ roles: ["ORG_READ_ONLY"] });
      assert.deepEqual((await key.client.query(VIEWER)).viewer, {
        __typename: "ApiKey",
        id: key.id,
      });
    });

    it("creates the access list with the key", async () => {
      const payload = await owner.client.mutate(CREATE_ORG_KEY, {
        input: {
          organizationId: org.id,
          description: "with access list",
          roles: ["ORG_MEMBER"],
          accessList: [
            { ipAddress: "192.0.2.10", comment: "office" },
            { cidrBlock: "198.51.100.0/24" },
          ],
        },
      });
      assert.deepEqual(
        payload.apiKey.accessList
          .map((e: any) => [e.cidrBlock, e.ipAddress, e.comment])
          .sort((a: string[], b: string[]) => (a[0] < b[0] ? -1 : 1)),
        [
          ["192.0.2.10/32", "192.0.2.10", "office"],
          ["198.51.100.0/24", null, null],
        ],
      );
    });

    it("accepts a description of exactly 250 characters and de-duplicates roles", async () => {
      const payload = await owner.client.mutate(CREATE_ORG_KEY, {
        input: {
          organizationId: org.id,
          description: "d".repeat(250),
          roles: ["ORG_MEMBER", "ORG_MEMBER"],
        },
      });
      assert.equal(payload.apiKey.description.length, 250);
      assert.deepEqual(payload.apiKey.roles, ["ORG_MEMBER"]);
    });

    describe("user errors", () => {
      for (const [what, description] of [
        ["an empty description", ""],
        ["a blank description", "   "],
        ["a description of 251 characters", "d".repeat(251)],
      ]) {
        it(`refuses ${what} with INVALID_INPUT on input.description`, async () => {
          const errors = await owner.client.userErrors(CREATE_ORG_KEY, {
            input: { organizationId: org.id, description, roles: ["ORG_MEMBER"] },
          });
          assert.deepEqual(problems(errors), [["INVALID_INPUT", "input.description"]]);
        });
      }

      it("counts the description in characters as stored: 250 emoji pass, 251 with variation selectors do not", async () => {
        const fresh = await freshOrg();
        const emoji = await fresh.client.mutate(CREATE_ORG_KEY, {
          input: { organizationId: fresh.id, description: "😀".repeat(250), roles: ["ORG_MEMBER"] },
        });
        assert.equal(emoji.apiKey.description, "😀".repeat(250));
        const errors = await fresh.client.userErrors(CREATE_ORG_KEY, {
          input: { organizationId: fresh.id, description: "❤️".repeat(126), roles: ["ORG_MEMBER"] },
        });
        assert.deepEqual(problems(errors), [["INVALID_INPUT", "input.description"]]);
        assert.equal(await keyCount(fresh), 1);
      });

      it("refuses an access list of more than 200 entries with INVALID_INPUT, creating nothing", async () => {
        const fresh = await freshOrg();
        const accessList = Array.from({ length: 201 }, (_, i) => ({
          ipAddress: `10.9.${i >> 8}.${i & 255}`,
        }));
        const errors = await fresh.client.userErrors(CREATE_ORG_KEY, {
          input: {
            organizationId: fresh.id,
            description: "long list",
            roles: ["ORG_MEMBER"],
            accessList,
          },
        });
        assert.deepEqual(problems(errors), [["INVALID_INPUT", "input.accessList"]]);
        const comment = await fresh.client.userErrors(CREATE_ORG_KEY, {
          input: {
            organizationId: fresh.id,
            description: "long comment",
            roles: ["ORG_MEMBER"],
            accessList: [{ ipAddress: "192.0.2.1", comment: "c".repeat(251) }],
          },
        });
        assert.deepEqual(problems(comment), [["INVALID_INPUT", "input.accessList.0.comment"]]);
        assert.equal(await keyCount(fresh), 0);
      });

      it("refuses an empty role list with INVALID_INPUT on input.roles", async () => {
        const errors = await owner.client.userErrors(CREATE_ORG_KEY, {
          input: { organizationId: org.id, description: "no roles", roles: [] },
        });
        assert.deepEqual(problems(errors), [["INVALID_INPUT", "input.roles"]]);
      });

      it("refuses a project role in an organization call with BAD_USER_INPUT, creating nothing", async () => {
        const fresh = await freshOrg();
        const result = await fresh.client.raw(CREATE_ORG_KEY, {
          input: { organizationId: fresh.id, description: "wrong level", roles: ["GROUP_OWNER"] },
        });
        // The schema types roles per level, so the request is refused before any resolver runs.
        assert.equal(result.errors?.[0].extensions?.code, "BAD_USER_INPUT", result.text);
        assert.match(result.errors![0].message, /OrganizationRole/);
        assert.equal(await keyCount(fresh), 0);
      });

      it("creates no key when an access-list entry is bad (one transaction)", async () => {
        const fresh = await freshOrg();
        await fresh.apiKey();
        const before = await keyCount(fresh);
        const errors = await fresh.client.userErrors(CREATE_ORG_KEY, {
          input: {
            organizationId: fresh.id,
            description: "bad list",
            roles: ["ORG_MEMBER"],
            accessList: [{ ipAddress: "192.0.2.1" }, { cidrBlock: "10.0.0.1/8" }],
          },
        });
        assert.deepEqual(problems(errors), [
          ["INVALID_ACCESS_LIST_ENTRY", "input.accessList.1.cidrBlock"],
        ]);
        assert.match(errors[0].message, /10\.0\.0\.0\/8/);
        assert.equal(await keyCount(fresh), before);
      });

      it("creates no key when the access list repeats an entry", async () => {
        const fresh = await freshOrg();
        const errors = await fresh.client.userErrors(CREATE_ORG_KEY, {
          input: {
            organizationId: fresh.id,
            description: "duplicate list",
            roles: ["ORG_MEMBER"],
            accessList: [{ ipAddress: "192.0.2.1" }, { cidrBlock: "192.0.2.1/32" }],
          },
        });
        assert.deepEqual(problems(errors), [["DUPLICATE_ACCESS_LIST_ENTRY", "input.accessList.1"]]);
        assert.equal(await keyCount(fresh), 0);
      });

      describe("with MAX_API_KEYS_PER_ORGANIZATION=3", () => {
        let limited: TestService;
        before(async () => {
          limited = await startTestService({ MAX_API_KEYS_PER_ORGANIZATION: "3" });
        });
        after(() => limited.stop());

        it("refuses a fourth key with LIMIT_EXCEEDED, from either create mutation", async () => {
          const limitedOrg = await (await new Seed(limited.client).user()).organization();
          const project = await limitedOrg.project();
          await limitedOrg.apiKey();
          await limitedOrg.apiKey();
          await project.apiKey();
          const orgErrors = await limitedOrg.client.userErrors(CREATE_ORG_KEY, {
            input: { organizationId: limitedOrg.id, description: "fourth", roles: ["ORG_MEMBER"] },
          });
          assert.deepEqual(problems(orgErrors), [["LIMIT_EXCEEDED", "input.organizationId"]]);
          const projectErrors = await limitedOrg.client.userErrors(CREATE_PROJECT_KEY, {
            input: { projectId: project.id, description: "fourth", roles: ["GROUP_READ_ONLY"] },
          });
          assert.deepEqual(problems(projectErrors), [["LIMIT_EXCEEDED", "input.projectId"]]);
          assert.equal(await keyCount(limitedOrg), 3);
          assert.equal((await projectKeys(project)).length, 1);
        });
      });
    });

    describe("who may create", () => {
      it("an ORG_MEMBER is FORBIDDEN", async () => {
        const member = await org.member(["ORG_MEMBER"]);
        const code = await member.client.errorCode(CREATE_ORG_KEY, {
          input: { organizationId: org.id, description: "nope", roles: ["ORG_MEMBER"] },
        });
        assert.equal(code, "FORBIDDEN");
      });

      it("an owner of another organization gets what an unknown organization id gets", async () => {
        const stranger = await seed.user();
        await stranger.organization();
        await assertLooksUnknown(
          stranger.client,
          CREATE_ORG_KEY,
          (id) => ({ input: { organizationId: id, description: "x", roles: ["ORG_MEMBER"] } }),
          org.id,
          toGlobalId("Organization", randomUUID()),
        );
        const errors = await stranger.client.userErrors(CREATE_ORG_KEY, {
          input: { organizationId: org.id, description: "x", roles: ["ORG_MEMBER"] },
        });
        assert.deepEqual(problems(errors), [["NOT_FOUND", "input.organizationId"]]);
      });

      it("an anonymous caller is UNAUTHENTICATED", async () => {
        const code = await service.client.errorCode(CREATE_ORG_KEY, {
          input: { organizationId: org.id, description: "x", roles: ["ORG_MEMBER"] },
        });
        assert.equal(code, "UNAUTHENTICATED");
      });

      it("an ORG_OWNER key may create keys; an ORG_MEMBER key is FORBIDDEN", async () => {
        const ownerKey = await org.apiKey({ roles: ["ORG_OWNER"] });
        const payload = await ownerKey.client.mutate(CREATE_ORG_KEY, {
          input: { organizationId: org.id, description: "made by a key", roles: ["ORG_OWNER"] },
        });
        assert.equal(payload.apiKey.organization.id, org.id);
        const memberKey = await org.apiKey({ roles: ["ORG_MEMBER"] });
        const code = await memberKey.client.errorCode(CREATE_ORG_KEY, {
          input: { organizationId: org.id, description: "nope", roles: ["ORG_MEMBER"] },
        });
        assert.equal(code, "FORBIDDEN");
      });
    });
  });

  describe("updateOrganizationApiKey", () => {
    it("changes the description only, keeping the roles", async () => {
      const key = await org.apiKey({ roles: ["ORG_READ_ONLY"] });
      const payload = await owner.client.mutate(UPDATE_ORG_KEY, {
        input: { apiKeyId: key.id, description: "renamed" },
      });
      assert.equal(payload.apiKey.description, "renamed");
      assert.deepEqual(payload.apiKey.roles, ["ORG_READ_ONLY"]);
      assert.equal((await readKey(owner.client, key.id)).description, "renamed");
    });

    it("replaces the organization roles and leaves project assignments untouched", async () => {
      const project = await org.project();
      const key = await org.apiKey({ roles: ["ORG_MEMBER"], description: "kept" });
      await project.assign(key, ["GROUP_READ_ONLY"]);
      const payload = await owner.client.mutate(UPDATE_ORG_KEY, {
        input: { apiKeyId: key.id, roles: ["ORG_BILLING_ADMIN", "ORG_READ_ONLY"] },
      });
      assert.deepEqual(payload.apiKey.roles, ["ORG_BILLING_ADMIN", "ORG_READ_ONLY"]);
      assert.equal(payload.apiKey.description, "kept");
      const read = await readKey(owner.client, key.id);
      assert.deepEqual(read.roles, ["ORG_BILLING_ADMIN", "ORG_READ_ONLY"]);
      assert.deepEqual(assignmentsOf(read), [[project.id, ["GROUP_READ_ONLY"]]]);
    });

    it("changes both at once, and the key acts with its new roles on its next request", async () => {
      const key = await org.apiKey({ roles: ["ORG_MEMBER"] });
      assert.equal(
        await key.client.errorCode(ORG_KEYS, { id: org.id }),
        "FORBIDDEN",
        "an ORG_MEMBER key cannot list keys",
      );
      await owner.client.mutate(UPDATE_ORG_KEY, {
        input: { apiKeyId: key.id, description: "promoted", roles: ["ORG_OWNER"] },
      });
      const listed = await key.client.query(ORG_KEYS, { id: org.id });
      assert.ok(listed.organization.apiKeys.totalCount >= 1);
    });

    describe("user errors", () => {
      it("needs a description or roles: INVALID_INPUT", async () => {
        const key = await org.apiKey();
        for (const input of [
          { apiKeyId: key.id },
          { apiKeyId: key.id, description: null, roles: null },
        ]) {
          const errors = await owner.client.userErrors(UPDATE_ORG_KEY, { input });
          assert.deepEqual(problems(errors), [["INVALID_INPUT", "input"]]);
        }
      });

      it("refuses an empty description or an empty role list on their fields", async () => {
        const key = await org.apiKey({ description: "unchanged" });
        const description = await owner.client.userErrors(UPDATE_ORG_KEY, {
          input: { apiKeyId: key.id, description: "" },
        });
        assert.deepEqual(problems(description), [["INVALID_INPUT", "input.description"]]);
        const roles = await owner.client.userErrors(UPDATE_ORG_KEY, {
          input: { apiKeyId: key.id, roles: [] },
        });
        assert.deepEqual(problems(roles), [["INVALID_INPUT", "input.roles"]]);
        assert.equal((await readKey(owner.client, key.id)).description, "unchanged");
      });

      it("an unknown key id is NOT_FOUND on input.apiKeyId", async () => {
        const errors = await owner.client.userErrors(UPDATE_ORG_KEY, {
          input: { apiKeyId: unknownKeyId(), description: "x" },
        });
        assert.deepEqual(problems(errors), [["NOT_FOUND", "input.apiKeyId"]]);
      });
    });

    describe("who may update", () => {
      it("an owner of another organization gets what an unknown id gets", async () => {
        const key = await org.apiKey();
        const stranger = (await freshOrg()).owner;
        await assertLooksUnknown(
          stranger.client,
          UPDATE_ORG_KEY,
          (id) => ({ input: { apiKeyId: id, description: "hijacked" } }),
          key.id,
        );
      });

      it("an ORG_MEMBER, who cannot see the key, gets what an unknown id gets", async () => {
        const key = await org.apiKey();
        const member = await org.member(["ORG_MEMBER"]);
        await assertLooksUnknown(
          member.client,
          UPDATE_ORG_KEY,
          (id) => ({ input: { apiKeyId: id, description: "hijacked" } }),
          key.id,
        );
      });

      it("a project admin who sees the key is FORBIDDEN to change its organization roles", async () => {
        const project = await org.project();
        const key = await project.apiKey();
        const admin = await project.member(["GROUP_OWNER"]);
        const code = await admin.client.errorCode(UPDATE_ORG_KEY, {
          input: { apiKeyId: key.id, roles: ["ORG_OWNER"] },
        });
        assert.equal(code, "FORBIDDEN");
        assert.deepEqual((await readKey(owner.client, key.id)).roles, ["ORG_MEMBER"]);
      });

      it("a key cannot promote itself", async () => {
        const key = await org.apiKey({ roles: ["ORG_MEMBER"] });
        const code = await key.client.errorCode(UPDATE_ORG_KEY, {
          input: { apiKeyId: key.id, roles: ["ORG_OWNER"] },
        });
        assert.equal(code, "FORBIDDEN");
      });
    });
  });

  describe("deleteOrganizationApiKey", () => {
    it("deletes the key with its assignments and access list; reads find nothing", async () => {
      const project = await org.project();
      const key = await org.apiKey({
        accessList: [{ cidrBlock: "127.0.0.0/8" }, { ipAddress: "::1" }],
      });
      await project.assign(key, ["GROUP_READ_ONLY"]);
      assert.equal((await projectKeys(project)).length, 1);

      const payload = await owner.client.mutate(DELETE_ORG_KEY, { input: { apiKeyId: key.id } });
      assert.equal(payload.deletedApiKeyId, key.id);

      assert.deepEqual(await owner.client.query(READ_KEY, { id: key.id }), { apiKey: null });
      assert.deepEqual(await owner.client.query(NODE, { id: key.id }), { node: null });
      assert.deepEqual(await projectKeys(project), []);
      const listed = await owner.client.query(ORG_KEYS, { id: org.id });
      assert.ok(!listed.organization.apiKeys.edges.some((edge: any) => edge.node.id === key.id));
      const uuid = fromGlobalId(key.id)!.uuid;
      const [counts] = await service.service.db.query(
        `SELECT (SELECT count(*) FROM api_key_access_list_entries WHERE api_key_id = $1)::int AS entries,
                (SELECT count(*) FROM api_key_project_assignments WHERE api_key_id = $1)::int AS assignments`,
        [uuid],
      );
      assert.deepEqual(counts, { entries: 0, assignments: 0 });
      assert.equal((await key.client.raw(VIEWER)).status, 401);
    });

    it("a second delete is NOT_FOUND, exactly as for an unknown id", async () => {
      const key = await org.apiKey();
      await owner.client.mutate(DELETE_ORG_KEY, { input: { apiKeyId: key.id } });
      const again = await owner.client.userErrors(DELETE_ORG_KEY, { input: { apiKeyId: key.id } });
      const unknown = await owner.client.userErrors(DELETE_ORG_KEY, {
        input: { apiKeyId: unknownKeyId() },
      });
      assert.deepEqual(again, unknown);
      assert.deepEqual(problems(again), [["NOT_FOUND", "input.apiKeyId"]]);
    });

    it("an ORG_OWNER key may delete another key", async () => {
      const ownerKey = await org.apiKey({ roles: ["ORG_OWNER"] });
      const victim = await org.apiKey();
      await ownerKey.client.mutate(DELETE_ORG_KEY, { input: { apiKeyId: victim.id } });
      assert.equal(await readKey(owner.client, victim.id), null);
    });

    describe("who may delete", () => {
      it("an owner of another organization gets what an unknown id gets; the key survives", async () => {
        const key = await org.apiKey();
        const stranger = (await freshOrg()).owner;
        await assertLooksUnknown(
          stranger.client,
          DELETE_ORG_KEY,
          (id) => ({ input: { apiKeyId: id } }),
          key.id,
        );
        assert.equal((await readKey(owner.client, key.id)).id, key.id);
      });

      it("an ORG_MEMBER key, which cannot see another key, gets what an unknown id gets", async () => {
        const key = await org.apiKey();
        const memberKey = await org.apiKey({ roles: ["ORG_MEMBER"] });
        await assertLooksUnknown(
          memberKey.client,
          DELETE_ORG_KEY,
          (id) => ({ input: { apiKeyId: id } }),
          key.id,
        );
      });

      it("a project admin who sees the key is FORBIDDEN; the key survives", async () => {
        const project = await org.project();
        const key = await project.apiKey();
        const admin = await project.member(["GROUP_OWNER"]);
        assert.equal(
          await admin.client.errorCode(DELETE_ORG_KEY, { input: { apiKeyId: key.id } }),
          "FORBIDDEN",
        );
        assert.equal((await readKey(owner.client, key.id)).id, key.id);
      });
    });
  });

  describe("createProjectApiKey", () => {
    it("creates an ORG_MEMBER key assigned to the project with the given roles", async () => {
      const project = await org.project();
      const admin = await project.member(["GROUP_OWNER"]);
      const payload = await admin.client.mutate(CREATE_PROJECT_KEY, {
        input: {
          projectId: project.id,
          description: "project deploys",
          roles: ["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"],
          accessList: [{ ipAddress: "192.0.2.33" }],
        },
      });
      assert.match(payload.apiKey.publicKey, /^[a-z]{8}$/);
      assert.match(payload.privateKey, UUID_V4);
      assert.equal(
        payload.apiKey.privateKeyRedacted,
        `********-****-****-${payload.privateKey.slice(-12)}`,
      );
      assert.deepEqual(payload.apiKey.roles, ["ORG_MEMBER"]);
      assert.equal(payload.apiKey.organization.id, org.id);
      assert.deepEqual(
        payload.apiKey.accessList.map((e: any) => e.cidrBlock),
        ["192.0.2.33/32"],
      );
      assert.deepEqual(assignmentsOf(payload.apiKey), [
        [project.id, ["GROUP_READ_ONLY", "GROUP_CLUSTER_MANAGER"]],
      ]);
      assert.deepEqual(await projectKeys(project), [
        [payload.apiKey.id, ["GROUP_READ_ONLY", "GROUP_CLUSTER_MANAGER"]],
      ]);
      const read = await owner.client.raw(READ_KEY, { id: payload.apiKey.id });
      assert.ok(!read.text.includes(payload.privateKey));
    });

    it("a GROUP_USER_ADMIN may create a key with any project role but GROUP_OWNER", async () => {
      const project = await org.project();
      const userAdmin = await project.member(["GROUP_USER_ADMIN"]);
      await userAdmin.client.mutate(CREATE_PROJECT_KEY, {
        input: { projectId: project.id, description: "ok", roles: ["GROUP_DATA_ACCESS_ADMIN"] },
      });
      const code = await userAdmin.client.errorCode(CREATE_PROJECT_KEY, {
        input: { projectId: project.id, description: "too much", roles: ["GROUP_OWNER"] },
      });
      assert.equal(code, "FORBIDDEN");
      assert.equal((await projectKeys(project)).length, 1);
    });

    describe("user errors", () => {
      it("refuses an empty description and an empty role list, creating nothing", async () => {
        const project = await org.project();
        const errors = await owner.client.userErrors(CREATE_PROJECT_KEY, {
          input: { projectId: project.id, description: "", roles: [] },
        });
        assert.deepEqual(problems(errors), [
          ["INVALID_INPUT", "input.description"],
          ["INVALID_INPUT", "input.roles"],
        ]);
        assert.deepEqual(await projectKeys(project), []);
      });

      it("creates neither key nor assignment when an access-list entry is bad", async () => {
        const fresh = await freshOrg();
        const project = await fresh.project();
        const errors = await fresh.client.userErrors(CREATE_PROJECT_KEY, {
          input: {
            projectId: project.id,
            description: "bad list",
            roles: ["GROUP_READ_ONLY"],
            accessList: [{ ipAddress: "10.1" }],
          },
        });
        assert.deepEqual(problems(errors), [
          ["INVALID_ACCESS_LIST_ENTRY", "input.accessList.0.ipAddress"],
        ]);
        assert.equal(await keyCount(fresh), 0);
        assert.deepEqual(await projectKeys(project), []);
      });
    });

    describe("who may create", () => {
      it("a GROUP_READ_ONLY member is FORBIDDEN", async () => {
        const project = await org.project();
        const reader = await project.member(["GROUP_READ_ONLY"]);
        const code = await reader.client.errorCode(CREATE_PROJECT_KEY, {
          input: { projectId: project.id, description: "x", roles: ["GROUP_READ_ONLY"] },
        });
        assert.equal(code, "FORBIDDEN");
      });

      it("a caller from another organization gets what an unknown project id gets", async () => {
        const project = await org.project();
        const stranger = (await freshOrg()).owner;
        await assertLooksUnknown(
          stranger.client,
          CREATE_PROJECT_KEY,
          (id) => ({ input: { projectId: id, description: "x", roles: ["GROUP_READ_ONLY"] } }),
          project.id,
          unknownProjectId(),
        );
        assert.deepEqual(await projectKeys(project), []);
      });
    });
  });

  describe("assignApiKeyToProject", () => {
    it("gives an organization key access to a project with its own roles there", async () => {
      const first = await org.project();
      const second = await org.project();
      const key = await first.apiKey({ roles: ["GROUP_OWNER"] });
      const payload = await owner.client.mutate(ASSIGN, {
        input: { projectId: second.id, apiKeyId: key.id, roles: ["GROUP_READ_ONLY"] },
      });
      assert.deepEqual(payload.assignment.roles, ["GROUP_READ_ONLY"]);
      assert.equal(payload.assignment.apiKey.id, key.id);
      assert.equal(payload.assignment.project.id, second.id);
      assert.ok(!Number.isNaN(Date.parse(payload.assignment.assignedAt)));
      const expected: [string, string[]][] = [
        [first.id, ["GROUP_OWNER"]],
        [second.id, ["GROUP_READ_ONLY"]],
      ];
      assert.deepEqual(assignmentsOf(await readKey(owner.client, key.id)), expected.sort());
      assert.deepEqual(await projectKeys(second), [[key.id, ["GROUP_READ_ONLY"]]]);
    });

    it("a key already in the project is ALREADY_EXISTS; its roles are unchanged", async () => {
      const project = await org.project();
      const key = await project.apiKey({ roles: ["GROUP_READ_ONLY"] });
      const errors = await owner.client.userErrors(ASSIGN, {
        input: { projectId: project.id, apiKeyId: key.id, roles: ["GROUP_OWNER"] },
      });
      assert.deepEqual(problems(errors), [["ALREADY_EXISTS", "input.apiKeyId"]]);
      assert.deepEqual(await projectKeys(project), [[key.id, ["GROUP_READ_ONLY"]]]);
    });

    it("a key of another organization the caller can see is WRONG_ORGANIZATION", async () => {
      const otherOrg = await owner.organization();
      const key = await otherOrg.apiKey();
      const project = await org.project();
      const errors = await owner.client.userErrors(ASSIGN, {
        input: { projectId: project.id, apiKeyId: key.id, roles: ["GROUP_READ_ONLY"] },
      });
      assert.deepEqual(problems(errors), [["WRONG_ORGANIZATION", "input.apiKeyId"]]);
      assert.deepEqual(await projectKeys(project), []);
    });

    it("a key of another organization the caller cannot see gets what an unknown id gets", async () => {
      const foreignKey = await (await freshOrg()).apiKey();
      const project = await org.project();
      await assertLooksUnknown(
        owner.client,
        ASSIGN,
        (id) => ({ input: { projectId: project.id, apiKeyId: id, roles: ["GROUP_READ_ONLY"] } }),
        foreignKey.id,
      );
      const errors = await owner.client.userErrors(ASSIGN, {
        input: { projectId: project.id, apiKeyId: foreignKey.id, roles: ["GROUP_READ_ONLY"] },
      });
      assert.deepEqual(problems(errors), [["NOT_FOUND", "input.apiKeyId"]]);
      assert.deepEqual(await projectKeys(project), []);
    });

    describe("who may assign", () => {
      it("a GROUP_USER_ADMIN cannot give GROUP_OWNER: FORBIDDEN", async () => {
        const project = await org.project();
        const key = await org.apiKey();
        const userAdmin = await project.member(["GROUP_USER_ADMIN"]);
        const code = await userAdmin.client.errorCode(ASSIGN, {
          input: { projectId: project.id, apiKeyId: key.id, roles: ["GROUP_OWNER"] },
        });
        assert.equal(code, "FORBIDDEN");
        await userAdmin.client.mutate(ASSIGN, {
          input: { projectId: project.id, apiKeyId: key.id, roles: ["GROUP_USER_ADMIN"] },
        });
        assert.deepEqual(await projectKeys(project), [[key.id, ["GROUP_USER_ADMIN"]]]);
      });

      it("a GROUP_READ_ONLY member is FORBIDDEN", async () => {
        const project = await org.project();
        const key = await org.apiKey();
        const reader = await project.member(["GROUP_READ_ONLY"]);
        const code = await reader.client.errorCode(ASSIGN, {
          input: { projectId: project.id, apiKeyId: key.id, roles: ["GROUP_READ_ONLY"] },
        });
        assert.equal(code, "FORBIDDEN");
      });

      it("a caller from another organization gets what an unknown project id gets", async () => {
        const project = await org.project();
        const key = await org.apiKey();
        const stranger = (await freshOrg()).owner;
        await assertLooksUnknown(
          stranger.client,
          ASSIGN,
          (id) => ({ input: { projectId: id, apiKeyId: key.id, roles: ["GROUP_READ_ONLY"] } }),
          project.id,
          unknownProjectId(),
        );
      });
    });
  });

  describe("updateProjectApiKeyRoles", () => {
    it("replaces the key's roles in that project only", async () => {
      const first = await org.project();
      const second = await org.project();
      const key = await first.apiKey({ roles: ["GROUP_READ_ONLY"] });
      await second.assign(key, ["GROUP_READ_ONLY"]);
      const payload = await owner.client.mutate(UPDATE_PROJECT_ROLES, {
        input: {
          projectId: first.id,
          apiKeyId: key.id,
          roles: ["GROUP_BACKUP_ADMIN", "GROUP_MONITORING_ADMIN"],
        },
      });
      assert.deepEqual(payload.assignment.roles, ["GROUP_BACKUP_ADMIN", "GROUP_MONITORING_ADMIN"]);
      assert.equal(payload.assignment.project.id, first.id);
      const read = await readKey(owner.client, key.id);
      assert.deepEqual(
        assignmentsOf(read),
        [
          [first.id, ["GROUP_BACKUP_ADMIN", "GROUP_MONITORING_ADMIN"]],
          [second.id, ["GROUP_READ_ONLY"]],
        ].sort() as [string, string[]][],
      );
      assert.deepEqual(read.roles, ["ORG_MEMBER"]);
    });

    it("a key not in the project is NOT_FOUND, as is an unknown key", async () => {
      const project = await org.project();
      const key = await org.apiKey();
      const notAssigned = await owner.client.userErrors(UPDATE_PROJECT_ROLES, {
        input: { projectId: project.id, apiKeyId: key.id, roles: ["GROUP_READ_ONLY"] },
      });
      const unknown = await owner.client.userErrors(UPDATE_PROJECT_ROLES, {
        input: { projectId: project.id, apiKeyId: unknownKeyId(), roles: ["GROUP_READ_ONLY"] },
      });
      assert.deepEqual(problems(notAssigned), [["NOT_FOUND", "input.apiKeyId"]]);
      assert.deepEqual(notAssigned, unknown);
    });

    it("refuses an empty role list with INVALID_INPUT", async () => {
      const project = await org.project();
      const key = await project.apiKey();
      const errors = await owner.client.userErrors(UPDATE_PROJECT_ROLES, {
        input: { projectId: project.id, apiKeyId: key.id, roles: [] },
      });
      assert.deepEqual(problems(errors), [["INVALID_INPUT", "input.roles"]]);
    });

    describe("who may update", () => {
      it("a GROUP_USER_ADMIN cannot give GROUP_OWNER, nor take it away: FORBIDDEN", async () => {
        const project = await org.project();
        const plain = await project.apiKey({ roles: ["GROUP_READ_ONLY"] });
        const powerful = await project.apiKey({ roles: ["GROUP_OWNER"] });
        const userAdmin = await project.member(["GROUP_USER_ADMIN"]);
        for (const [key, roles] of [
          [plain, ["GROUP_OWNER"]],
          [powerful, ["GROUP_READ_ONLY"]],
        ] as [KeyFixture, string[]][]) {
          const code = await userAdmin.client.errorCode(UPDATE_PROJECT_ROLES, {
            input: { projectId: project.id, apiKeyId: key.id, roles },
          });
          assert.equal(code, "FORBIDDEN");
        }
        assert.deepEqual(
          await projectKeys(project),
          [
            [plain.id, ["GROUP_READ_ONLY"]],
            [powerful.id, ["GROUP_OWNER"]],
          ].sort() as [string, string[]][],
        );
      });

      it("a caller from another organization gets what an unknown project id gets", async () => {
        const project = await org.project();
        const key = await project.apiKey();
        const stranger = (await freshOrg()).owner;
        await assertLooksUnknown(
          stranger.client,
          UPDATE_PROJECT_ROLES,
          (id) => ({ input: { projectId: id, apiKeyId: key.id, roles: ["GROUP_OWNER"] } }),
          project.id,
          unknownProjectId(),
        );
      });
    });
  });

  describe("unassignApiKeyFromProject", () => {
    it("removes the key from that project only; it stays in the organization and other projects", async () => {
      const first = await org.project();
      const second = await org.project();
      const key = await first.apiKey({ roles: ["GROUP_READ_ONLY"] });
      await second.assign(key, ["GROUP_CLUSTER_MANAGER"]);
      const payload = await owner.client.mutate(UNASSIGN, {
        input: { projectId: first.id, apiKeyId: key.id },
      });
      assert.equal(payload.apiKey.id, key.id);
      assert.deepEqual(assignmentsOf(payload.apiKey), [[second.id, ["GROUP_CLUSTER_MANAGER"]]]);
      assert.deepEqual(await projectKeys(first), []);
      assert.deepEqual(await projectKeys(second), [[key.id, ["GROUP_CLUSTER_MANAGER"]]]);
      const read = await readKey(owner.client, key.id);
      assert.deepEqual(assignmentsOf(read), [[second.id, ["GROUP_CLUSTER_MANAGER"]]]);
      assert.equal((await key.client.query(VIEWER)).viewer.id, key.id);
    });

    it("a key not in the project is NOT_FOUND, as is an unknown key", async () => {
      const project = await org.project();
      const key = await project.apiKey();
      await owner.client.mutate(UNASSIGN, { input: { projectId: project.id, apiKeyId: key.id } });
      const again = await owner.client.userErrors(UNASSIGN, {
        input: { projectId: project.id, apiKeyId: key.id },
      });
      const unknown = await owner.client.userErrors(UNASSIGN, {
        input: { projectId: project.id, apiKeyId: unknownKeyId() },
      });
      assert.deepEqual(problems(again), [["NOT_FOUND", "input.apiKeyId"]]);
      assert.deepEqual(again, unknown);
    });

    describe("who may unassign", () => {
      it("a GROUP_READ_ONLY member is FORBIDDEN; a GROUP_USER_ADMIN cannot remove a GROUP_OWNER key", async () => {
        const project = await org.project();
        const powerful = await project.apiKey({ roles: ["GROUP_OWNER"] });
        const reader = await project.member(["GROUP_READ_ONLY"]);
        const userAdmin = await project.member(["GROUP_USER_ADMIN"]);
        for (const caller of [reader, userAdmin]) {
          const code = await caller.client.errorCode(UNASSIGN, {
            input: { projectId: project.id, apiKeyId: powerful.id },
          });
          assert.equal(code, "FORBIDDEN");
        }
        assert.deepEqual(await projectKeys(project), [[powerful.id, ["GROUP_OWNER"]]]);
      });

      it("a caller from another organization gets what an unknown project id gets", async () => {
        const project = await org.project();
        const key = await project.apiKey();
        const stranger = (await freshOrg()).owner;
        await assertLooksUnknown(
          stranger.client,
          UNASSIGN,
          (id) => ({ input: { projectId: id, apiKeyId: key.id } }),
          project.id,
          unknownProjectId(),
        );
        assert.equal((await projectKeys(project)).length, 1);
      });
    });
  });

  describe("reading keys", () => {
    let project: ProjectFixture;
    let otherProject: ProjectFixture;
    let key: KeyFixture;
    before(async () => {
      project = await org.project();
      otherProject = await org.project();
      key = await project.apiKey({ roles: ["GROUP_READ_ONLY"] });
      await otherProject.assign(key, ["GROUP_READ_ONLY"]);
    });

    it("Organization.apiKeys lists the organization's keys to an ORG_OWNER", async () => {
      const fresh = await freshOrg();
      const keys = [
        await fresh.apiKey(),
        await fresh.apiKey(),
        await fresh.project().then((p) => p.apiKey()),
      ];
      const data = await fresh.client.query(ORG_KEYS, { id: fresh.id });
      assert.equal(data.organization.apiKeys.totalCount, 3);
      assert.deepEqual(
        data.organization.apiKeys.edges.map((edge: any) => edge.node.id).sort(),
        keys.map((k) => k.id).sort(),
      );
    });

    it("Organization.apiKeys is FORBIDDEN to an ORG_MEMBER", async () => {
      const member = await org.member(["ORG_MEMBER"]);
      assert.equal(await member.client.errorCode(ORG_KEYS, { id: org.id }), "FORBIDDEN");
    });

    it("Project.apiKeys lists assignments to GROUP_OWNER and GROUP_USER_ADMIN; GROUP_READ_ONLY is FORBIDDEN", async () => {
      for (const roles of [["GROUP_OWNER"], ["GROUP_USER_ADMIN"]]) {
        const admin = await project.member(roles);
        const data = await admin.client.query(PROJECT_KEYS, { id: project.id });
        assert.deepEqual(
          data.project.apiKeys.edges.map((edge: any) => [edge.node.apiKey.id, edge.node.roles]),
          [[key.id, ["GROUP_READ_ONLY"]]],
        );
      }
      const reader = await project.member(["GROUP_READ_ONLY"]);
      assert.equal(await reader.client.errorCode(PROJECT_KEYS, { id: project.id }), "FORBIDDEN");
    });

    it("apiKey(id) and node(id) show the key to an ORG_OWNER, its project admins and itself", async () => {
      const readers: [string, Client][] = [
        ["the ORG_OWNER", owner.client],
        ["an ORG_OWNER key", (await org.apiKey({ roles: ["ORG_OWNER"] })).client],
        ["a GROUP_OWNER of its project", (await project.member(["GROUP_OWNER"])).client],
        [
          "a GROUP_USER_ADMIN of its project",
          (await otherProject.member(["GROUP_USER_ADMIN"])).client,
        ],
        ["the key itself", key.client],
      ];
      for (const [who, client] of readers) {
        const data = await client.query(READ_KEY, { id: key.id });
        assert.equal(data.apiKey?.id, key.id, who);
        const node = await client.query(NODE, { id: key.id });
        assert.deepEqual(
          node.node,
          { __typename: "ApiKey", id: key.id, publicKey: key.publicKey },
          who,
        );
      }
    });

    it("a project admin sees only the assignments to projects they can see", async () => {
      const admin = await project.member(["GROUP_OWNER"]);
      const seen = await readKey(admin.client, key.id);
      assert.deepEqual(assignmentsOf(seen), [[project.id, ["GROUP_READ_ONLY"]]]);
    });

    it("everyone else gets exactly what an unknown id gets, and never the key's id", async () => {
      const unrelatedProject = await org.project();
      const strangerOrg = await freshOrg();
      const others: [string, Client][] = [
        ["an ORG_MEMBER", (await org.member(["ORG_MEMBER"])).client],
        ["an ORG_READ_ONLY", (await org.member(["ORG_READ_ONLY"])).client],
        ["a GROUP_READ_ONLY of its project", (await project.member(["GROUP_READ_ONLY"])).client],
        [
          "a GROUP_OWNER of another project",
          (await unrelatedProject.member(["GROUP_OWNER"])).client,
        ],
        [
          "a key of another project",
          (await unrelatedProject.apiKey({ roles: ["GROUP_OWNER"] })).client,
        ],
        ["an ORG_MEMBER key", (await org.apiKey({ roles: ["ORG_MEMBER"] })).client],
        ["an owner of another organization", strangerOrg.client],
        [
          "an ORG_OWNER key of another organization",
          (await strangerOrg.apiKey({ roles: ["ORG_OWNER"] })).client,
        ],
        ["an anonymous caller", service.client],
      ];
      for (const [who, client] of others) {
        const data = await assertLooksUnknown(client, READ_KEY, (id) => ({ id }), key.id);
        assert.deepEqual(data, { apiKey: null }, who);
        const node = await assertLooksUnknown(client, NODE, (id) => ({ id }), key.id);
        assert.deepEqual(node, { node: null }, who);
      }
    });
  });

  describe("keys acting as callers", () => {
    it("an ORG_OWNER key manages other keys end to end", async () => {
      const ownerKey = await org.apiKey({ roles: ["ORG_OWNER"] });
      const project = await org.project();
      const created = await ownerKey.client.mutate(CREATE_ORG_KEY, {
        input: { organizationId: org.id, description: "by key", roles: ["ORG_MEMBER"] },
      });
      const id = created.apiKey.id;
      await ownerKey.client.mutate(UPDATE_ORG_KEY, {
        input: { apiKeyId: id, description: "edited by key" },
      });
      await ownerKey.client.mutate(ASSIGN, {
        input: { projectId: project.id, apiKeyId: id, roles: ["GROUP_READ_ONLY"] },
      });
      await ownerKey.client.mutate(UPDATE_PROJECT_ROLES, {
        input: { projectId: project.id, apiKeyId: id, roles: ["GROUP_OWNER"] },
      });
      const listed = await ownerKey.client.query(PROJECT_KEYS, { id: project.id });
      assert.deepEqual(
        listed.project.apiKeys.edges.map((edge: any) => [edge.node.apiKey.id, edge.node.roles]),
        [[id, ["GROUP_OWNER"]]],
      );
      await ownerKey.client.mutate(UNASSIGN, { input: { projectId: project.id, apiKeyId: id } });
      await ownerKey.client.mutate(DELETE_ORG_KEY, { input: { apiKeyId: id } });
      assert.equal(await readKey(owner.client, id), null);
    });

    it("a project key acts in its own project and nowhere else", async () => {
      const home = await org.project();
      const elsewhere = await org.project();
      const projectKey = await home.apiKey({ roles: ["GROUP_OWNER"] });
      const created = await projectKey.client.mutate(CREATE_PROJECT_KEY, {
        input: { projectId: home.id, description: "by project key", roles: ["GROUP_READ_ONLY"] },
      });
      assert.deepEqual(assignmentsOf(created.apiKey), [[home.id, ["GROUP_READ_ONLY"]]]);

      await assertLooksUnknown(
        projectKey.client,
        CREATE_PROJECT_KEY,
        (id) => ({ input: { projectId: id, description: "x", roles: ["GROUP_READ_ONLY"] } }),
        elsewhere.id,
        unknownProjectId(),
      );
      const errors = await projectKey.client.userErrors(ASSIGN, {
        input: { projectId: elsewhere.id, apiKeyId: projectKey.id, roles: ["GROUP_OWNER"] },
      });
      assert.deepEqual(problems(errors), [["NOT_FOUND", "input.projectId"]]);
      assert.equal(
        await projectKey.client.errorCode(CREATE_ORG_KEY, {
          input: { organizationId: org.id, description: "x", roles: ["ORG_MEMBER"] },
        }),
        "FORBIDDEN",
      );
      assert.equal(await projectKey.client.errorCode(ORG_KEYS, { id: org.id }), "FORBIDDEN");
      assert.deepEqual(await projectKeys(elsewhere), []);
    });
  });
});
