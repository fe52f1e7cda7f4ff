import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { getNamedType, isInputObjectType } from "graphql";
import { after, before, describe, it } from "node:test";
import { fromGlobalId, toGlobalId, type NodeTypeName } from "../src/graphql/global-id";
import type { Client, GraphQLResult } from "./support/client";
import {
  Seed,
  unique,
  type KeyFixture,
  type OrganizationFixture,
  type ProjectFixture,
  type UserActor,
} from "./support/seed";
import { contractNext } from "./support/contract";
import { startTestService, type TestService } from "./support/service";

/**
 * Tenant isolation: every entry point that takes an id answers an id of another organization
 * (one the caller cannot see) byte for byte as it answers a random well-formed id of the same type
 * and a garbage id, so a caller learns nothing about what exists elsewhere.
 */

interface Scene {
  /** The caller's side: organization O with project P, a member and an organization key. */
  org: OrganizationFixture;
  project: ProjectFixture;
  member: UserActor;
  key: KeyFixture;
  /** The other organization: O2 with project P2, its owner and a project key of P2. */
  foreignOrg: OrganizationFixture;
  foreignProject: ProjectFixture;
  foreignOwner: UserActor;
  foreignKey: KeyFixture;
  /** The live secret of the caller's key, and of the foreign key. */
  keySecretId: string;
  foreignSecretId: string;
  /** An event of O2 naming no project, and one naming P2. */
  foreignEventId: string;
  foreignProjectEventId: string;
}

interface EntryPoint {
  /** The entry point and the argument that carries the id under test. */
  name: string;
  type: NodeTypeName;
  foreignId(scene: Scene): string;
  /** The request, with `id` in the argument under test and the caller's own ids elsewhere. */
  request(scene: Scene, id: string): { query: string; variables: Record<string, unknown> };
  /** What "not found" looks like, when not null or a NOT_FOUND user error (a filter: nothing). */
  isNotFound?: (result: GraphQLResult<any>) => boolean;
}

const ERRORS = "userErrors { code field message }";

const ID_TYPES = {
  organizationId: "Organization",
  projectId: "Project",
  userId: "User",
  apiKeyId: "ApiKey",
  secretId: "ApiKeySecret",
} as const;

function byId(field: string, type: NodeTypeName, foreign: (scene: Scene) => string): EntryPoint {
  return {
    name: `${field}(id: ${type})`,
    type,
    foreignId: foreign,
    request: (_scene, id) => ({
      query: `query ($id: ID!) { ${field}(id: $id) { __typename id } }`,
      variables: { id },
    }),
  };
}

function mutation(
  name: string,
  argument: keyof typeof ID_TYPES,
  selection: string,
  foreign: (scene: Scene) => string,
  input: (scene: Scene, id: string) => Record<string, unknown>,
): EntryPoint {
  const inputType = `${name[0].toUpperCase()}${name.slice(1)}Input`;
  return {
    name: `${name}(input.${argument})`,
    type: ID_TYPES[argument],
    foreignId: foreign,
    request: (scene, id) => ({
      query: `mutation ($input: ${inputType}!) { ${name}(input: $input) { ${selection} ${ERRORS} } }`,
      variables: { input: input(scene, id) },
    }),
  };
}

const foreignOrg = (s: Scene) => s.foreignOrg.id;
const foreignProject = (s: Scene) => s.foreignProject.id;
const foreignUser = (s: Scene) => s.foreignOwner.id;
const foreignKey = (s: Scene) => s.foreignKey.id;
const foreignSecret = (s: Scene) => s.foreignSecretId;
const foreignEvent = (s: Scene) => s.foreignEventId;
const foreignProjectEvent = (s: Scene) => s.foreignProjectEventId;

const EVENT_PAGE = `totalCount edges { node { id organization { id } targetApiKey { id } } }`;

/** `<field>(id: …) { events }`: the events of a foreign organization or project read as unknown. */
function eventsOf(field: "organization" | "project", type: NodeTypeName): EntryPoint {
  return {
    name: `${field}(id: ${type}).events`,
    type,
    foreignId: field === "organization" ? foreignOrg : foreignProject,
    request: (_scene, id) => ({
      query: `query ($id: ID!) { ${field}(id: $id) { id events(first: 100) { ${EVENT_PAGE} } } }`,
      variables: { id },
    }),
  };
}

/** `events(filter: {apiKeyId})` of the caller's own organization or project, naming a foreign key. */
function eventsAboutKey(field: "organization" | "project"): EntryPoint {
  return {
    name: `${field}.events(filter.apiKeyId)`,
    type: "ApiKey",
    foreignId: foreignKey,
    request: (scene, id) => ({
      query: `query ($scope: ID!, $id: ID!) { ${field}(id: $scope) {
        events(first: 100, filter: { apiKeyId: $id }) { ${EVENT_PAGE} } } }`,
      variables: { scope: field === "organization" ? scene.org.id : scene.project.id, id },
    }),
    isNotFound: (result) => {
      const events = (Object.values(result.data ?? {})[0] as any)?.events;
      return events?.totalCount === 0 && events.edges.length === 0;
    },
  };
}
const PROJECT_NAME = unique("isolation-project");
const KEY_DESCRIPTION = unique("isolation-key");

const ENTRY_POINTS: EntryPoint[] = [
  byId("node", "Organization", foreignOrg),
  byId("node", "Project", foreignProject),
  byId("node", "ApiKey", foreignKey),
  byId("node", "User", foreignUser),
  byId("node", "ApiKeySecret", foreignSecret),
  byId("node", "Event", foreignEvent),
  { ...byId("node", "Event", foreignProjectEvent), name: "node(id: Event of a project)" },
  eventsOf("organization", "Organization"),
  eventsOf("project", "Project"),
  eventsAboutKey("organization"),
  eventsAboutKey("project"),
  byId("organization", "Organization", foreignOrg),
  byId("project", "Project", foreignProject),
  byId("apiKey", "ApiKey", foreignKey),
  mutation(
    "updateOrganizationSettings",
    "organizationId",
    "organization { id }",
    foreignOrg,
    (_s, id) => ({ organizationId: id, apiAccessListRequired: false }),
  ),
  mutation(
    "addOrganizationMember",
    "organizationId",
    "membership { roles }",
    foreignOrg,
    (s, id) => ({ organizationId: id, email: s.member.email, roles: ["ORG_MEMBER"] }),
  ),
  mutation(
    "updateOrganizationMemberRoles",
    "organizationId",
    "membership { roles }",
    foreignOrg,
    (s, id) => ({ organizationId: id, userId: s.foreignOwner.id, roles: ["ORG_MEMBER"] }),
  ),
  mutation(
    "updateOrganizationMemberRoles",
    "userId",
    "membership { roles }",
    foreignUser,
    (s, id) => ({ organizationId: s.org.id, userId: id, roles: ["ORG_MEMBER"] }),
  ),
  mutation("removeOrganizationMember", "organizationId", "removedUserId", foreignOrg, (s, id) => ({
    organizationId: id,
    userId: s.foreignOwner.id,
  })),
  mutation("removeOrganizationMember", "userId", "removedUserId", foreignUser, (s, id) => ({
    organizationId: s.org.id,
    userId: id,
  })),
  mutation("createProject", "organizationId", "project { id }", foreignOrg, (_s, id) => ({
    organizationId: id,
    name: PROJECT_NAME,
  })),
  mutation("addProjectMember", "projectId", "membership { roles }", foreignProject, (s, id) => ({
    projectId: id,
    userId: s.member.id,
    roles: ["GROUP_READ_ONLY"],
  })),
  mutation("addProjectMember", "userId", "membership { roles }", foreignUser, (s, id) => ({
    projectId: s.project.id,
    userId: id,
    roles: ["GROUP_READ_ONLY"],
  })),
  mutation(
    "updateProjectMemberRoles",
    "projectId",
    "membership { roles }",
    foreignProject,
    (s, id) => ({ projectId: id, userId: s.foreignOwner.id, roles: ["GROUP_READ_ONLY"] }),
  ),
  mutation("updateProjectMemberRoles", "userId", "membership { roles }", foreignUser, (s, id) => ({
    projectId: s.project.id,
    userId: id,
    roles: ["GROUP_READ_ONLY"],
  })),
  mutation("removeProjectMember", "projectId", "removedUserId", foreignProject, (s, id) => ({
    projectId: id,
    userId: s.foreignOwner.id,
  })),
  mutation("removeProjectMember", "userId", "removedUserId", foreignUser, (s, id) => ({
    projectId: s.project.id,
    userId: id,
  })),
  mutation(
    "createOrganizationApiKey",
    "organizationId",
    "apiKey { id } privateKey",
    foreignOrg,
    (_s, id) => ({
      organizationId: id,
      description: KEY_DESCRIPTION,
      roles: ["ORG_MEMBER"],
      accessList: [{ cidrBlock: "127.0.0.0/8" }],
    }),
  ),
  mutation(
    "updateOrganizationApiKey",
    "apiKeyId",
    "apiKey { id description }",
    foreignKey,
    (_s, id) => ({ apiKeyId: id, description: "renamed by a stranger" }),
  ),
  mutation("deleteOrganizationApiKey", "apiKeyId", "deletedApiKeyId", foreignKey, (_s, id) => ({
    apiKeyId: id,
  })),
  mutation(
    "addApiKeyAccessListEntries",
    "apiKeyId",
    "apiKey { id accessList { cidrBlock } }",
    foreignKey,
    (_s, id) => ({ apiKeyId: id, entries: [{ cidrBlock: "0.0.0.0/0" }] }),
  ),
  mutation(
    "removeApiKeyAccessListEntry",
    "apiKeyId",
    "apiKey { id accessList { cidrBlock } }",
    foreignKey,
    (_s, id) => ({ apiKeyId: id, entry: "127.0.0.0/8" }),
  ),
  mutation("rotateApiKeySecret", "apiKeyId", "apiKey { id } privateKey", foreignKey, (_s, id) => ({
    apiKeyId: id,
    gracePeriodSeconds: 0,
  })),
  mutation("revokeApiKeySecret", "apiKeyId", "apiKey { id }", foreignKey, (s, id) => ({
    apiKeyId: id,
    secretId: s.keySecretId,
  })),
  mutation("revokeApiKeySecret", "secretId", "apiKey { id }", foreignSecret, (s, id) => ({
    apiKeyId: s.key.id,
    secretId: id,
  })),
  mutation(
    "createProjectApiKey",
    "projectId",
    "apiKey { id } privateKey",
    foreignProject,
    (_s, id) => ({
      projectId: id,
      description: KEY_DESCRIPTION,
      roles: ["GROUP_READ_ONLY"],
      accessList: [{ cidrBlock: "127.0.0.0/8" }],
    }),
  ),
  mutation(
    "assignApiKeyToProject",
    "projectId",
    "assignment { roles }",
    foreignProject,
    (s, id) => ({ projectId: id, apiKeyId: s.key.id, roles: ["GROUP_READ_ONLY"] }),
  ),
  mutation("assignApiKeyToProject", "apiKeyId", "assignment { roles }", foreignKey, (s, id) => ({
    projectId: s.project.id,
    apiKeyId: id,
    roles: ["GROUP_READ_ONLY"],
  })),
  mutation(
    "updateProjectApiKeyRoles",
    "projectId",
    "assignment { roles }",
    foreignProject,
    (s, id) => ({ projectId: id, apiKeyId: s.foreignKey.id, roles: ["GROUP_READ_ONLY"] }),
  ),
  mutation("updateProjectApiKeyRoles", "apiKeyId", "assignment { roles }", foreignKey, (s, id) => ({
    projectId: s.project.id,
    apiKeyId: id,
    roles: ["GROUP_READ_ONLY"],
  })),
  mutation("unassignApiKeyFromProject", "projectId", "apiKey { id }", foreignProject, (s, id) => ({
    projectId: id,
    apiKeyId: s.foreignKey.id,
  })),
  mutation("unassignApiKeyFromProject", "apiKeyId", "apiKey { id }", foreignKey, (s, id) => ({
    projectId: s.project.id,
    apiKeyId: id,
  })),
];

const GARBAGE_ID = "not-an-id";

/** The body with the id itself replaced, so answers about different ids can be compared. */
function normalized(result: GraphQLResult, id: string): string {
  return result.text.split(id).join("<id>");
}

/** Null for a by-id read, or a NOT_FOUND user error on the id for a mutation. */
function isNotFound(result: GraphQLResult<any>): boolean {
  if (result.errors || !result.data) return false;
  const [value] = Object.values(result.data) as any[];
  if (value === null) return true;
  return value.userErrors?.length === 1 && value.userErrors[0].code === "NOT_FOUND";
}

/** What the foreign organization's owner reads of it: must be the same after the attempts. */
async function foreignState(scene: Scene): Promise<unknown> {
  return scene.foreignOwner.client.query(
    `query ($org: ID!, $project: ID!, $key: ID!) {
       organization(id: $org) {
         name apiAccessListRequired
         members(first: 100) { totalCount edges { node { user { id } roles } } }
         projects(first: 100) { totalCount edges { node { id name } } }
         apiKeys(first: 100) { totalCount edges { node { id description roles } } }
         events(first: 100) { totalCount edges { node { id type } } }
       }
       project(id: $project) { members(first: 100) { edges { node { user { id } roles } } } }
       apiKey(id: $key) {
         description roles enabled expiresAt secrets { id expiresAt }
         accessList { cidrBlock } projectAssignments { project { id } roles }
       }
     }`,
    { org: scene.foreignOrg.id, project: scene.foreignProject.id, key: scene.foreignKey.id },
  );
}

describe("tenant isolation: a foreign id reads exactly like an unknown one", () => {
  let service: TestService;
  let scene: Scene;
  let callers: { name: string; client: Client; seesEverythingOwn: boolean }[];
  let foreignBefore: unknown;
  let comparisons = 0;

  before(async () => {
    service = await startTestService();
    const seed = new Seed(service.client);
    const [owner, foreignOwner] = await Promise.all([seed.user(), seed.user()]);
    const [org, foreign] = await Promise.all([owner.organization(), foreignOwner.organization()]);
    const [project, foreignProject] = await Promise.all([org.project(), foreign.project()]);
    const [member, key, foreignKey, ownerKey, projectKey] = await Promise.all([
      project.member(["GROUP_READ_ONLY"]),
      org.apiKey({ roles: ["ORG_MEMBER"] }),
      foreignProject.apiKey({ roles: ["GROUP_READ_ONLY"] }),
      org.apiKey({ roles: ["ORG_OWNER"] }),
      project.apiKey({ roles: ["GROUP_OWNER"] }),
    ]);
    const [[keySecret], [foreignSecret]] = await Promise.all([key.secrets(), foreignKey.secrets()]);
    const { organization: foreignTrail } = await foreignOwner.client.query(
      `query ($id: ID!) { organization(id: $id) { events(first: 100) { edges { node { id project { id } } } } } }`,
      { id: foreign.id },
    );
    const foreignEvents = foreignTrail.events.edges.map((edge: any) => edge.node);
    scene = {
      org,
      project,
      member,
      key,
      foreignOrg: foreign,
      foreignProject,
      foreignOwner,
      foreignKey,
      keySecretId: keySecret.id,
      foreignSecretId: foreignSecret.id,
      foreignEventId: foreignEvents.find((event: any) => !event.project).id,
      foreignProjectEventId: foreignEvents.find((event: any) => event.project).id,
    };
    callers = [
      { name: "an ORG_OWNER user", client: owner.client, seesEverythingOwn: true },
      { name: "an ORG_OWNER key", client: ownerKey.client, seesEverythingOwn: true },
      { name: "a GROUP_OWNER project key", client: projectKey.client, seesEverythingOwn: false },
    ];
    foreignBefore = await foreignState(scene);
  });

  after(async () => {
    console.log(`tenant isolation: ${comparisons} foreign/random/garbage comparisons`);
    await service.stop();
  });

  it("covers every id argument of every mutation in the contract (and next.graphql's resolved parts)", () => {
    const contract = contractNext.coveredContract();
    const required: string[] = [];
    for (const field of Object.values(contract.getMutationType()!.getFields())) {
      const input = field.args.find((arg) => arg.name === "input");
      const type = input && getNamedType(input.type);
      if (!type || !isInputObjectType(type)) continue;
      for (const name of Object.keys(type.getFields())) {
        if (name in ID_TYPES) required.push(`${field.name}(input.${name})`);
      }
    }
    const covered = new Set(ENTRY_POINTS.map((entry) => entry.name));
    assert.deepEqual(
      required.filter((name) => !covered.has(name)),
      [],
    );
  });

  for (const entry of ENTRY_POINTS) {
    it(`${entry.name}: foreign, random and garbage ids get the same answer`, async () => {
      for (const caller of callers) {
        const foreign = entry.foreignId(scene);
        const random = toGlobalId(entry.type, randomUUID());
        const answers = [];
        for (const id of [foreign, random, GARBAGE_ID]) {
          const { query, variables } = entry.request(scene, id);
          const result = await caller.client.raw(query, variables);
          answers.push({ id, result });
        }
        const [foreignAnswer, ...others] = answers;
        const foreignUuid = fromGlobalId(foreign)!.uuid;
        for (const forbidden of [foreign, foreignUuid]) {
          assert.ok(
            !foreignAnswer.result.text.includes(forbidden),
            `${caller.name}: the answer names the foreign id: ${foreignAnswer.result.text}`,
          );
        }
        for (const other of others) {
          comparisons++;
          assert.equal(
            foreignAnswer.result.status,
            other.result.status,
            `${caller.name}: HTTP status for a foreign vs ${other.id === GARBAGE_ID ? "garbage" : "random"} id`,
          );
          assert.equal(
            normalized(foreignAnswer.result, foreign),
            normalized(other.result, other.id),
            `${caller.name}: body for a foreign vs ${other.id === GARBAGE_ID ? "garbage" : "random"} id`,
          );
        }
        if (caller.seesEverythingOwn) {
          assert.ok(
            (entry.isNotFound ?? isNotFound)(foreignAnswer.result),
            `${caller.name}: expected not found: ${foreignAnswer.result.text}`,
          );
        }
      }
    });
  }

  it("never shows one organization's events in another's trail, by any field", async () => {
    const { organization, project } = await callers[0].client.query(
      `query ($org: ID!, $project: ID!) {
         organization(id: $org) { events(first: 100) { ${EVENT_PAGE} } }
         project(id: $project) { events(first: 100) { ${EVENT_PAGE} } } }`,
      { org: scene.org.id, project: scene.project.id },
    );
    const text = JSON.stringify({ organization, project });
    assert.ok(organization.events.totalCount > 0);
    for (const id of [
      scene.foreignOrg.id,
      scene.foreignProject.id,
      scene.foreignKey.id,
      scene.foreignEventId,
      scene.foreignProjectEventId,
    ]) {
      assert.ok(!text.includes(id), `the trail names ${id}`);
      assert.ok(!text.includes(fromGlobalId(id)!.uuid), `the trail names ${id}`);
    }
  });

  it("leaves the foreign organization exactly as it was", async () => {
    assert.deepEqual(await foreignState(scene), foreignBefore);
  });
});
