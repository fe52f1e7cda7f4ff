import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { isObjectType } from "graphql";
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
 * THE PERMISSION MODEL: who may call what. The README links here; the test below checks every cell
 * against the running service, and for every refused mutation reads the target back as an owner
 * to show that nothing changed.
 *
 * The scene: an organization O with a project P (and a second project Q in which no caller below
 * holds a role), plus a user who owns another organization.
 *
 * Columns (callers):
 *   OWN    a user with ORG_OWNER in O (that single organization role)
 *   MEM    a user with ORG_MEMBER in O
 *   RO     a user with ORG_READ_ONLY in O
 *   GC     a user with ORG_GROUP_CREATOR in O
 *   BILL   a user with ORG_BILLING_ADMIN in O
 *   G.OWN  a user with ORG_MEMBER in O and GROUP_OWNER in P
 *   G.UA   a user with ORG_MEMBER in O and GROUP_USER_ADMIN in P
 *   G.RO   a user with ORG_MEMBER in O and GROUP_READ_ONLY in P
 *   OTHER  the owner of another organization, with no role in O
 *   ANON   no Authorization header
 *   OKEY   an API key of O with ORG_OWNER, assigned to no project
 *   MKEY   an API key of O with ORG_MEMBER, assigned to no project
 *   PKEY   a project key: made by createProjectApiKey in P with GROUP_OWNER (so ORG_MEMBER of O)
 *
 * Cells:
 *   ✓  allowed
 *   F  FORBIDDEN error: the caller sees the target but lacks the role
 *   N  not found: null, or a NOT_FOUND user error on the id, exactly what an unknown id gets;
 *      the caller cannot see the target (an organization it is not in, a project it holds no
 *      role in, a key it does not administer)
 *   U  UNAUTHENTICATED error
 *
 * What each row acts on is in OPERATIONS below (`target`). In short: the organization rows act
 * on O, the project rows on P; the key rows on a key made by createProjectApiKey in P (visible to
 * an ORG_OWNER, to P's GROUP_OWNER / GROUP_USER_ADMIN, and to itself); assignApiKeyToProject on
 * an organization key in no project; "(also-in-Q)" on a key assigned to P and to Q. The event rows
 * read O's audit trail: node(Event) an event naming no project (a key's creation), node(Event-of-P)
 * one naming P (its creation); an event is read by whoever may read the events field it is in.
 */
const PERMISSION_TABLE = `
                                                   OWN MEM RO  GC  BILL G.OWN G.UA G.RO OTHER ANON OKEY MKEY PKEY
  Query.organization                               ✓   ✓   ✓   ✓   ✓    ✓     ✓    ✓    N     N    ✓    ✓    ✓
  Query.project                                    ✓   N   ✓   N   N    ✓     ✓    ✓    N     N    ✓    N    ✓
  Query.apiKey                                     ✓   N   N   N   N    ✓     ✓    N    N     N    ✓    N    ✓
  Query.node(Organization)                         ✓   ✓   ✓   ✓   ✓    ✓     ✓    ✓    N     N    ✓    ✓    ✓
  Query.node(Project)                              ✓   N   ✓   N   N    ✓     ✓    ✓    N     N    ✓    N    ✓
  Query.node(ApiKey)                               ✓   N   N   N   N    ✓     ✓    N    N     N    ✓    N    ✓
  Query.node(User)                                 ✓   ✓   ✓   ✓   ✓    ✓     ✓    ✓    N     N    ✓    ✓    ✓
  Query.node(Event)                                ✓   N   N   N   N    N     N    N    N     N    ✓    N    N
  Query.node(Event-of-P)                           ✓   N   N   N   N    ✓     ✓    N    N     N    ✓    N    ✓
  Organization.members                             ✓   ✓   ✓   ✓   ✓    ✓     ✓    ✓    N     N    ✓    ✓    ✓
  Organization.projects                            ✓   ✓   ✓   ✓   ✓    ✓     ✓    ✓    N     N    ✓    ✓    ✓
  Organization.apiKeys                             ✓   F   F   F   F    F     F    F    N     N    ✓    F    F
  Project.apiKeys                                  ✓   N   F   N   N    ✓     ✓    F    N     N    ✓    N    ✓
  Organization.events                              ✓   F   F   F   F    F     F    F    N     N    ✓    F    F
  Project.events                                   ✓   N   F   N   N    ✓     ✓    F    N     N    ✓    N    ✓
  Mutation.logOut                                  ✓   ✓   ✓   ✓   ✓    ✓     ✓    ✓    ✓     U    F    F    F
  Mutation.createOrganization                      ✓   ✓   ✓   ✓   ✓    ✓     ✓    ✓    ✓     U    F    F    F
  Mutation.updateOrganizationSettings              ✓   F   F   F   F    F     F    F    N     U    ✓    F    F
  Mutation.updateOrganizationSettings(lifetime)    ✓   F   F   F   F    F     F    F    N     U    ✓    F    F
  Mutation.addOrganizationMember                   ✓   F   F   F   F    F     F    F    N     U    ✓    F    F
  Mutation.updateOrganizationMemberRoles           ✓   F   F   F   F    F     F    F    N     U    ✓    F    F
  Mutation.removeOrganizationMember                ✓   F   F   F   F    F     F    F    N     U    ✓    F    F
  Mutation.createProject                           ✓   F   F   ✓   F    F     F    F    N     U    ✓    F    F
  Mutation.addProjectMember                        ✓   N   F   N   N    ✓     ✓    F    N     U    ✓    N    ✓
  Mutation.updateProjectMemberRoles                ✓   N   F   N   N    ✓     ✓    F    N     U    ✓    N    ✓
  Mutation.removeProjectMember                     ✓   N   F   N   N    ✓     ✓    F    N     U    ✓    N    ✓
  Mutation.createOrganizationApiKey                ✓   F   F   F   F    F     F    F    N     U    ✓    F    F
  Mutation.updateOrganizationApiKey                ✓   N   N   N   N    F     F    N    N     U    ✓    N    F
  Mutation.updateOrganizationApiKey(enabled)       ✓   N   N   N   N    F     F    N    N     U    ✓    N    F
  Mutation.updateOrganizationApiKey(expiresAt)     ✓   N   N   N   N    F     F    N    N     U    ✓    N    F
  Mutation.deleteOrganizationApiKey                ✓   N   N   N   N    F     F    N    N     U    ✓    N    F
  Mutation.addApiKeyAccessListEntries              ✓   N   N   N   N    ✓     ✓    N    N     U    ✓    N    ✓
  Mutation.addApiKeyAccessListEntries(also-in-Q)   ✓   N   N   N   N    F     F    N    N     U    ✓    N    F
  Mutation.removeApiKeyAccessListEntry             ✓   N   N   N   N    ✓     ✓    N    N     U    ✓    N    ✓
  Mutation.rotateApiKeySecret                      ✓   N   N   N   N    ✓     ✓    N    N     U    ✓    N    ✓
  Mutation.rotateApiKeySecret(also-in-Q)           ✓   N   N   N   N    F     F    N    N     U    ✓    N    F
  Mutation.revokeApiKeySecret                      ✓   N   N   N   N    ✓     ✓    N    N     U    ✓    N    ✓
  Mutation.createProjectApiKey                     ✓   N   F   N   N    ✓     ✓    F    N     U    ✓    N    ✓
  Mutation.assignApiKeyToProject                   ✓   N   F   N   N    ✓     ✓    F    N     U    ✓    N    ✓
  Mutation.updateProjectApiKeyRoles                ✓   N   F   N   N    ✓     ✓    F    N     U    ✓    N    ✓
  Mutation.unassignApiKeyFromProject               ✓   N   F   N   N    ✓     ✓    F    N     U    ✓    N    ✓
`;

/**
 * Cells where the service answers otherwise than the table: each runs as a `todo` with the reason,
 * so the table keeps saying what the contract requires. Remove an entry once the service is fixed.
 */
const KNOWN_DEVIATIONS: Record<string, string> = {};

// ---- the table, parsed ----------------------------------------------------------------------

const PRINCIPALS = [
  "ORG_OWNER",
  "ORG_MEMBER",
  "ORG_READ_ONLY",
  "ORG_GROUP_CREATOR",
  "ORG_BILLING_ADMIN",
  "GROUP_OWNER",
  "GROUP_USER_ADMIN",
  "GROUP_READ_ONLY",
  "OTHER_ORG_USER",
  "ANONYMOUS",
  "ORG_OWNER_KEY",
  "ORG_MEMBER_KEY",
  "PROJECT_KEY",
] as const;
type PrincipalName = (typeof PRINCIPALS)[number];

const COLUMNS = "OWN MEM RO GC BILL G.OWN G.UA G.RO OTHER ANON OKEY MKEY PKEY";
type Outcome = "ALLOWED" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND";
const CELL: Record<string, Outcome> = {
  "✓": "ALLOWED",
  F: "FORBIDDEN",
  N: "NOT_FOUND",
  U: "UNAUTHENTICATED",
};

function permissionTable(text: string): Map<string, Record<PrincipalName, Outcome>> {
  const [header, ...rows] = text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  assert.equal(header.split(/\s+/).join(" "), COLUMNS, "the table's columns");
  const table = new Map<string, Record<PrincipalName, Outcome>>();
  for (const row of rows) {
    const [name, ...cells] = row.split(/\s+/);
    assert.equal(cells.length, PRINCIPALS.length, `${name}: one cell per caller`);
    assert.ok(!table.has(name), `${name}: one row`);
    table.set(
      name,
      Object.fromEntries(
        cells.map((cell, index) => {
          assert.ok(CELL[cell], `${name}: unknown cell "${cell}"`);
          return [PRINCIPALS[index], CELL[cell]];
        }),
      ) as Record<PrincipalName, Outcome>,
    );
  }
  return table;
}

const PERMISSIONS = permissionTable(PERMISSION_TABLE);

// ---- the scene ------------------------------------------------------------------------------

interface Fixtures {
  service: TestService;
  seed: Seed;
  /** O's creator (an ORG_OWNER too): makes fresh targets and reads state back. */
  creator: UserActor;
  org: OrganizationFixture;
  project: ProjectFixture;
  /** Q: a project of O in which none of the callers holds a role. */
  otherProject: ProjectFixture;
  /** The read-only target of the key reads: a key made by createProjectApiKey in P. */
  readKey: KeyFixture;
  /** An event of O naming no project, and one naming P. */
  events: { organization: string; project: string };
  callers: Record<PrincipalName, { client: Client; user?: UserActor }>;
}

interface Cell {
  query: string;
  variables: Record<string, unknown>;
  /** Who calls, when not the caller's usual client (logOut spends a fresh session). */
  caller?: Client;
  /** Mutations: the target's state, read back by O's creator before and after the call. */
  state?: () => Promise<unknown>;
  /** Puts shared state back for the next cell of a serial row (runs whatever the outcome). */
  cleanup?: () => Promise<void>;
}

interface Operation {
  row: string;
  /** What the call acts on. */
  target: string;
  /** Cells sharing one piece of state (O's settings) run one after another, and alone. */
  serial?: boolean;
  /** Reads: what the caller gets; null reads as not found. */
  answer?: (data: any) => unknown;
  /** Reads: further checks on an allowed answer. */
  check?: (data: any, principal: PrincipalName, fx: Fixtures) => void;
  prepare(fx: Fixtures, principal: PrincipalName): Promise<Cell>;
}

const ACCESS_LIST = [{ cidrBlock: "127.0.0.0/8" }];

function read(
  row: string,
  target: string,
  query: string,
  id: (fx: Fixtures) => string,
  answer: (data: any) => unknown,
  check?: Operation["check"],
): Operation {
  return {
    row,
    target,
    answer,
    check,
    prepare: async (fx) => ({ query, variables: { id: id(fx) } }),
  };
}

function mutation(name: string, selection: string): string {
  const input = `${name[0].toUpperCase()}${name.slice(1)}Input`;
  return `mutation ($input: ${input}!) { ${name}(input: $input) { ${selection} userErrors { code field message } } }`;
}

/** Every edge of a connection, page by page, read by `client`. */
async function allNodes(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  connectionOf: (data: any) => any,
): Promise<any[]> {
  const nodes: any[] = [];
  let cursor: string | null = null;
  do {
    const connection = connectionOf(await client.query(query, { ...variables, after: cursor }));
    nodes.push(...connection.edges.map((edge: { node: unknown }) => edge.node));
    cursor = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  } while (cursor);
  return nodes;
}

const PAGE = "pageInfo { hasNextPage endCursor }";

async function organizationRolesOf(fx: Fixtures, userId: string): Promise<string[] | null> {
  const members = await allNodes(
    fx.creator.client,
    `query ($id: ID!, $after: String) { organization(id: $id) {
       members(first: 100, after: $after) { edges { node { user { id } roles } } ${PAGE} } } }`,
    { id: fx.org.id },
    (data) => data.organization.members,
  );
  return members.find((member) => member.user.id === userId)?.roles ?? null;
}

async function projectRolesOf(fx: Fixtures, userId: string): Promise<string[] | null> {
  const members = await allNodes(
    fx.creator.client,
    `query ($id: ID!, $after: String) { project(id: $id) {
       members(first: 100, after: $after) { edges { node { user { id } roles } } ${PAGE} } } }`,
    { id: fx.project.id },
    (data) => data.project.members,
  );
  return members.find((member) => member.user.id === userId)?.roles ?? null;
}

async function hasProjectNamed(fx: Fixtures, name: string): Promise<boolean> {
  const projects = await allNodes(
    fx.creator.client,
    `query ($id: ID!, $after: String) { organization(id: $id) {
       projects(first: 100, after: $after) { edges { node { name } } ${PAGE} } } }`,
    { id: fx.org.id },
    (data) => data.organization.projects,
  );
  return projects.some((project) => project.name === name);
}

async function hasKeyDescribed(fx: Fixtures, description: string): Promise<boolean> {
  const keys = await allNodes(
    fx.creator.client,
    `query ($id: ID!, $after: String) { organization(id: $id) {
       apiKeys(first: 100, after: $after) { edges { node { description } } ${PAGE} } } }`,
    { id: fx.org.id },
    (data) => data.organization.apiKeys,
  );
  return keys.some((key) => key.description === description);
}

/** Everything a key mutation could change, as O's creator reads it; null once deleted. */
async function keyState(fx: Fixtures, apiKeyId: string): Promise<unknown> {
  const { apiKey } = await fx.creator.client.query(
    `query ($id: ID!) { apiKey(id: $id) {
       description roles enabled expiresAt secrets { id expiresAt }
       projectAssignments { project { id } roles } accessList { cidrBlock } } }`,
    { id: apiKeyId },
  );
  if (!apiKey) return null;
  return {
    ...apiKey,
    projectAssignments: [...apiKey.projectAssignments].sort((a: any, b: any) =>
      a.project.id.localeCompare(b.project.id),
    ),
    accessList: apiKey.accessList.map((entry: { cidrBlock: string }) => entry.cidrBlock).sort(),
  };
}

/** A key made by createProjectApiKey in P (organization role ORG_MEMBER), by O's creator. */
function freshProjectKey(fx: Fixtures, accessList = ACCESS_LIST): Promise<KeyFixture> {
  return fx.project.apiKey({ roles: ["GROUP_READ_ONLY"], accessList });
}

/** A session that only this cell uses, so logging it out spoils nothing else. */
async function freshSession(fx: Fixtures, user: UserActor): Promise<Client> {
  const payload = await fx.service.client.mutate(
    `mutation ($input: LogInInput!) { logIn(input: $input) { token userErrors { code } } }`,
    { input: { email: user.email, password: user.password } },
  );
  return fx.service.client.as({ kind: "bearer", token: payload.token });
}

async function canAuthenticate(client: Client): Promise<boolean> {
  const result = await client.raw(`{ viewer { __typename } }`);
  return result.status === 200 && result.data?.viewer != null;
}

const ORG_BY_ID = `query ($id: ID!) { organization(id: $id) { id } }`;
const PROJECT_BY_ID = `query ($id: ID!) { project(id: $id) { id } }`;
const KEY_BY_ID = `query ($id: ID!) { apiKey(id: $id) { id } }`;
const NODE_BY_ID = `query ($id: ID!) { node(id: $id) { id } }`;

const OPERATIONS: Operation[] = [
  read(
    "Query.organization",
    "O",
    ORG_BY_ID,
    (fx) => fx.org.id,
    (d) => d.organization,
  ),
  read(
    "Query.project",
    "P",
    PROJECT_BY_ID,
    (fx) => fx.project.id,
    (d) => d.project,
  ),
  read(
    "Query.apiKey",
    "a project key of P",
    KEY_BY_ID,
    (fx) => fx.readKey.id,
    (d) => d.apiKey,
  ),
  read(
    "Query.node(Organization)",
    "O",
    NODE_BY_ID,
    (fx) => fx.org.id,
    (d) => d.node,
  ),
  read(
    "Query.node(Project)",
    "P",
    NODE_BY_ID,
    (fx) => fx.project.id,
    (d) => d.node,
  ),
  read(
    "Query.node(ApiKey)",
    "a project key of P",
    NODE_BY_ID,
    (fx) => fx.readKey.id,
    (d) => d.node,
  ),
  read(
    "Query.node(User)",
    "O's creator",
    NODE_BY_ID,
    (fx) => fx.creator.id,
    (d) => d.node,
  ),
  read(
    "Query.node(Event)",
    "an event of O naming no project",
    NODE_BY_ID,
    (fx) => fx.events.organization,
    (d) => d.node,
  ),
  read(
    "Query.node(Event-of-P)",
    "an event of O naming P",
    NODE_BY_ID,
    (fx) => fx.events.project,
    (d) => d.node,
  ),
  read(
    "Organization.members",
    "O",
    `query ($id: ID!) { organization(id: $id) { members(first: 1) { totalCount } } }`,
    (fx) => fx.org.id,
    (d) => d.organization?.members,
  ),
  read(
    "Organization.projects",
    "O",
    `query ($id: ID!) { organization(id: $id) { projects(first: 100) { edges { node { id } } } } }`,
    (fx) => fx.org.id,
    (d) => d.organization?.projects,
    (data, principal, fx) => {
      const listed = data.organization.projects.edges.some(
        (edge: any) => edge.node.id === fx.project.id,
      );
      const maySee = PERMISSIONS.get("Query.project")![principal] === "ALLOWED";
      assert.equal(listed, maySee, "P is listed exactly to those who may read project(id: P)");
    },
  ),
  read(
    "Organization.apiKeys",
    "O",
    `query ($id: ID!) { organization(id: $id) { apiKeys(first: 1) { totalCount } } }`,
    (fx) => fx.org.id,
    (d) => d.organization?.apiKeys,
  ),
  read(
    "Organization.events",
    "O",
    `query ($id: ID!) { organization(id: $id) { events(first: 1) { totalCount } } }`,
    (fx) => fx.org.id,
    (d) => d.organization?.events,
  ),
  read(
    "Project.events",
    "P",
    `query ($id: ID!) { project(id: $id) { events(first: 1) { totalCount edges { node { project { id } } } } } }`,
    (fx) => fx.project.id,
    (d) => d.project?.events,
    (data, _principal, fx) => {
      assert.equal(data.project.events.edges[0].node.project.id, fx.project.id);
    },
  ),
  read(
    "Project.apiKeys",
    "P",
    `query ($id: ID!) { project(id: $id) { apiKeys(first: 1) { totalCount } } }`,
    (fx) => fx.project.id,
    (d) => d.project?.apiKeys,
  ),
  {
    row: "Mutation.logOut",
    target: "a fresh session of the caller",
    async prepare(fx, principal) {
      const { client, user } = fx.callers[principal];
      const caller = user ? await freshSession(fx, user) : client;
      const probe = principal === "ANONYMOUS" ? fx.creator.client : caller;
      return {
        query: `mutation { logOut { ok } }`,
        variables: {},
        caller,
        state: () => canAuthenticate(probe),
      };
    },
  },
  {
    row: "Mutation.createOrganization",
    target: "a new organization",
    async prepare(fx) {
      const name = unique("matrix-org");
      return {
        query: mutation("createOrganization", "organization { id }"),
        variables: { input: { name } },
        // No caller-independent API lists every organization: count the rows.
        state: async () =>
          (
            await fx.service.service.db.query(
              "SELECT count(*)::int AS count FROM organizations WHERE name = $1",
              [name],
            )
          )[0].count,
      };
    },
  },
  {
    row: "Mutation.updateOrganizationSettings",
    target: "O's apiAccessListRequired (true → false)",
    serial: true,
    async prepare(fx) {
      return {
        query: mutation("updateOrganizationSettings", "organization { apiAccessListRequired }"),
        variables: { input: { organizationId: fx.org.id, apiAccessListRequired: false } },
        state: async () =>
          (
            await fx.creator.client.query(
              `query ($id: ID!) { organization(id: $id) { apiAccessListRequired } }`,
              { id: fx.org.id },
            )
          ).organization.apiAccessListRequired,
        cleanup: () => fx.org.setAccessListRequired(true),
      };
    },
  },
  {
    row: "Mutation.updateOrganizationSettings(lifetime)",
    target: "O's maxApiKeyLifetimeDays (none → 30)",
    serial: true,
    async prepare(fx) {
      return {
        query: mutation("updateOrganizationSettings", "organization { maxApiKeyLifetimeDays }"),
        variables: { input: { organizationId: fx.org.id, maxApiKeyLifetimeDays: 30 } },
        state: async () =>
          (
            await fx.creator.client.query(
              `query ($id: ID!) { organization(id: $id) { maxApiKeyLifetimeDays } }`,
              { id: fx.org.id },
            )
          ).organization.maxApiKeyLifetimeDays,
        cleanup: () => fx.org.setMaxApiKeyLifetimeDays(null),
      };
    },
  },
  {
    row: "Mutation.addOrganizationMember",
    target: "a fresh user, not in O",
    async prepare(fx) {
      const target = await fx.seed.user();
      return {
        query: mutation("addOrganizationMember", "membership { roles }"),
        variables: {
          input: { organizationId: fx.org.id, email: target.email, roles: ["ORG_MEMBER"] },
        },
        state: () => organizationRolesOf(fx, target.id),
      };
    },
  },
  {
    row: "Mutation.updateOrganizationMemberRoles",
    target: "a fresh ORG_MEMBER of O → ORG_READ_ONLY",
    async prepare(fx) {
      const target = await fx.org.member(["ORG_MEMBER"]);
      return {
        query: mutation("updateOrganizationMemberRoles", "membership { roles }"),
        variables: {
          input: { organizationId: fx.org.id, userId: target.id, roles: ["ORG_READ_ONLY"] },
        },
        state: () => organizationRolesOf(fx, target.id),
      };
    },
  },
  {
    row: "Mutation.removeOrganizationMember",
    target: "a fresh ORG_MEMBER of O",
    async prepare(fx) {
      const target = await fx.org.member(["ORG_MEMBER"]);
      return {
        query: mutation("removeOrganizationMember", "removedUserId"),
        variables: { input: { organizationId: fx.org.id, userId: target.id } },
        state: () => organizationRolesOf(fx, target.id),
      };
    },
  },
  {
    row: "Mutation.createProject",
    target: "a new project in O",
    async prepare(fx) {
      const name = unique("matrix-project");
      return {
        query: mutation("createProject", "project { id }"),
        variables: { input: { organizationId: fx.org.id, name } },
        state: () => hasProjectNamed(fx, name),
      };
    },
  },
  {
    row: "Mutation.addProjectMember",
    target: "a fresh ORG_MEMBER of O, into P as GROUP_READ_ONLY",
    async prepare(fx) {
      const target = await fx.org.member(["ORG_MEMBER"]);
      return {
        query: mutation("addProjectMember", "membership { roles }"),
        variables: {
          input: { projectId: fx.project.id, userId: target.id, roles: ["GROUP_READ_ONLY"] },
        },
        state: () => projectRolesOf(fx, target.id),
      };
    },
  },
  {
    row: "Mutation.updateProjectMemberRoles",
    target: "a fresh GROUP_READ_ONLY of P → GROUP_DATA_ACCESS_READ_ONLY",
    async prepare(fx) {
      const target = await fx.project.member(["GROUP_READ_ONLY"]);
      return {
        query: mutation("updateProjectMemberRoles", "membership { roles }"),
        variables: {
          input: {
            projectId: fx.project.id,
            userId: target.id,
            roles: ["GROUP_DATA_ACCESS_READ_ONLY"],
          },
        },
        state: () => projectRolesOf(fx, target.id),
      };
    },
  },
  {
    row: "Mutation.removeProjectMember",
    target: "a fresh GROUP_READ_ONLY of P",
    async prepare(fx) {
      const target = await fx.project.member(["GROUP_READ_ONLY"]);
      return {
        query: mutation("removeProjectMember", "removedUserId"),
        variables: { input: { projectId: fx.project.id, userId: target.id } },
        state: () => projectRolesOf(fx, target.id),
      };
    },
  },
  {
    row: "Mutation.createOrganizationApiKey",
    target: "a new ORG_MEMBER key in O",
    async prepare(fx) {
      const description = unique("matrix-org-key");
      return {
        query: mutation("createOrganizationApiKey", "apiKey { id }"),
        variables: {
          input: {
            organizationId: fx.org.id,
            description,
            roles: ["ORG_MEMBER"],
            accessList: ACCESS_LIST,
          },
        },
        state: () => hasKeyDescribed(fx, description),
      };
    },
  },
  {
    row: "Mutation.updateOrganizationApiKey",
    target: "a fresh project key of P: new description",
    async prepare(fx) {
      const key = await freshProjectKey(fx);
      return {
        query: mutation("updateOrganizationApiKey", "apiKey { id }"),
        variables: { input: { apiKeyId: key.id, description: unique("renamed") } },
        state: () => keyState(fx, key.id),
      };
    },
  },
  {
    row: "Mutation.updateOrganizationApiKey(enabled)",
    target: "a fresh project key of P: enabled → false",
    async prepare(fx) {
      const key = await freshProjectKey(fx);
      return {
        query: mutation("updateOrganizationApiKey", "apiKey { enabled }"),
        variables: { input: { apiKeyId: key.id, enabled: false } },
        state: () => keyState(fx, key.id),
      };
    },
  },
  {
    row: "Mutation.updateOrganizationApiKey(expiresAt)",
    target: "a fresh project key of P: expiresAt → in a day",
    async prepare(fx) {
      const key = await freshProjectKey(fx);
      return {
        query: mutation("updateOrganizationApiKey", "apiKey { expiresAt }"),
        variables: {
          input: { apiKeyId: key.id, expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
        },
        state: () => keyState(fx, key.id),
      };
    },
  },
  {
    row: "Mutation.deleteOrganizationApiKey",
    target: "a fresh project key of P",
    async prepare(fx) {
      const key = await freshProjectKey(fx);
      return {
        query: mutation("deleteOrganizationApiKey", "deletedApiKeyId"),
        variables: { input: { apiKeyId: key.id } },
        state: () => keyState(fx, key.id),
      };
    },
  },
  {
    row: "Mutation.addApiKeyAccessListEntries",
    target: "a fresh project key of P (in P only): + 10.20.0.0/16",
    async prepare(fx) {
      const key = await freshProjectKey(fx);
      return {
        query: mutation("addApiKeyAccessListEntries", "apiKey { id }"),
        variables: { input: { apiKeyId: key.id, entries: [{ cidrBlock: "10.20.0.0/16" }] } },
        state: () => keyState(fx, key.id),
      };
    },
  },
  {
    row: "Mutation.addApiKeyAccessListEntries(also-in-Q)",
    target: "a fresh project key of P, also assigned to Q: + 10.20.0.0/16",
    async prepare(fx) {
      const key = await freshProjectKey(fx);
      await fx.otherProject.assign(key, ["GROUP_READ_ONLY"]);
      return {
        query: mutation("addApiKeyAccessListEntries", "apiKey { id }"),
        variables: { input: { apiKeyId: key.id, entries: [{ cidrBlock: "10.20.0.0/16" }] } },
        state: () => keyState(fx, key.id),
      };
    },
  },
  {
    row: "Mutation.removeApiKeyAccessListEntry",
    target: "a fresh project key of P: − 10.30.0.0/16",
    async prepare(fx) {
      const key = await freshProjectKey(fx, [...ACCESS_LIST, { cidrBlock: "10.30.0.0/16" }]);
      return {
        query: mutation("removeApiKeyAccessListEntry", "apiKey { id }"),
        variables: { input: { apiKeyId: key.id, entry: "10.30.0.0/16" } },
        state: () => keyState(fx, key.id),
      };
    },
  },
  {
    row: "Mutation.rotateApiKeySecret",
    target: "a fresh project key of P (in P only): a new secret, one minute of grace",
    async prepare(fx) {
      const key = await freshProjectKey(fx);
      return {
        query: mutation("rotateApiKeySecret", "apiKey { id } privateKey"),
        variables: { input: { apiKeyId: key.id, gracePeriodSeconds: 60 } },
        state: () => keyState(fx, key.id),
      };
    },
  },
  {
    row: "Mutation.rotateApiKeySecret(also-in-Q)",
    target: "a fresh project key of P, also assigned to Q: a new secret",
    async prepare(fx) {
      const key = await freshProjectKey(fx);
      await fx.otherProject.assign(key, ["GROUP_READ_ONLY"]);
      return {
        query: mutation("rotateApiKeySecret", "apiKey { id } privateKey"),
        variables: { input: { apiKeyId: key.id, gracePeriodSeconds: 60 } },
        state: () => keyState(fx, key.id),
      };
    },
  },
  {
    row: "Mutation.revokeApiKeySecret",
    target: "a fresh project key of P, rotated with a grace period: − its older secret",
    async prepare(fx) {
      const key = await freshProjectKey(fx);
      await key.rotate({ gracePeriodSeconds: 3_600 });
      const [, older] = await key.secrets();
      return {
        query: mutation("revokeApiKeySecret", "apiKey { id }"),
        variables: { input: { apiKeyId: key.id, secretId: older.id } },
        state: () => keyState(fx, key.id),
      };
    },
  },
  {
    row: "Mutation.createProjectApiKey",
    target: "a new GROUP_READ_ONLY key in P",
    async prepare(fx) {
      const description = unique("matrix-project-key");
      return {
        query: mutation("createProjectApiKey", "apiKey { id }"),
        variables: {
          input: {
            projectId: fx.project.id,
            description,
            roles: ["GROUP_READ_ONLY"],
            accessList: ACCESS_LIST,
          },
        },
        state: () => hasKeyDescribed(fx, description),
      };
    },
  },
  {
    row: "Mutation.assignApiKeyToProject",
    target: "a fresh ORG_MEMBER key of O in no project, into P as GROUP_READ_ONLY",
    async prepare(fx) {
      const key = await fx.org.apiKey({ roles: ["ORG_MEMBER"] });
      return {
        query: mutation("assignApiKeyToProject", "assignment { roles }"),
        variables: {
          input: { projectId: fx.project.id, apiKeyId: key.id, roles: ["GROUP_READ_ONLY"] },
        },
        state: () => keyState(fx, key.id),
      };
    },
  },
  {
    row: "Mutation.updateProjectApiKeyRoles",
    target: "a fresh project key of P → GROUP_DATA_ACCESS_READ_ONLY",
    async prepare(fx) {
      const key = await freshProjectKey(fx);
      return {
        query: mutation("updateProjectApiKeyRoles", "assignment { roles }"),
        variables: {
          input: {
            projectId: fx.project.id,
            apiKeyId: key.id,
            roles: ["GROUP_DATA_ACCESS_READ_ONLY"],
          },
        },
        state: () => keyState(fx, key.id),
      };
    },
  },
  {
    row: "Mutation.unassignApiKeyFromProject",
    target: "a fresh project key of P",
    async prepare(fx) {
      const key = await freshProjectKey(fx);
      return {
        query: mutation("unassignApiKeyFromProject", "apiKey { id }"),
        variables: { input: { projectId: fx.project.id, apiKeyId: key.id } },
        state: () => keyState(fx, key.id),
      };
    },
  },
];

// ---- running a cell -------------------------------------------------------------------------

const ID_FIELDS = new Set(["organizationId", "projectId", "userId", "apiKeyId", "secretId"]);

/** What the service did with the call, in the table's terms (or a description of the surprise). */
function outcomeOf(operation: Operation, result: GraphQLResult<any>): string {
  if (result.errors?.length) {
    const codes = result.errors.map((error) => error.extensions?.code);
    if (codes.length === 1 && (codes[0] === "UNAUTHENTICATED" || codes[0] === "FORBIDDEN")) {
      return codes[0];
    }
    return `HTTP ${result.status} with errors ${JSON.stringify(result.errors)}`;
  }
  if (operation.answer) return operation.answer(result.data) == null ? "NOT_FOUND" : "ALLOWED";
  const payload = Object.values(result.data ?? {})[0] as Record<string, any>;
  const userErrors: { code: string; field: string[] | null }[] = payload.userErrors ?? [];
  if (userErrors.length === 0) return "ALLOWED";
  const [first] = userErrors;
  const onAnId = first.field?.[0] === "input" && ID_FIELDS.has(first.field[1]);
  const entitiesNull = Object.entries(payload).every(([k, v]) => k === "userErrors" || v === null);
  if (userErrors.length === 1 && first.code === "NOT_FOUND" && onAnId && entitiesNull) {
    return "NOT_FOUND";
  }
  return `user errors ${JSON.stringify(userErrors)}`;
}

const counts = {
  pairs: 0,
  denialsUnchanged: 0,
  allowedChanges: 0,
  deviations: 0,
};

async function runCell(fx: Fixtures, operation: Operation, principal: PrincipalName) {
  const expected = PERMISSIONS.get(operation.row)![principal];
  const cell = await operation.prepare(fx, principal);
  const caller = cell.caller ?? fx.callers[principal].client;
  try {
    const before = await cell.state?.();
    const result = await caller.raw(cell.query, cell.variables);
    counts.pairs++;
    const outcome = outcomeOf(operation, result);
    assert.equal(outcome, expected, `${operation.row} as ${principal}: ${result.text}`);
    if (operation.check && outcome === "ALLOWED") operation.check(result.data, principal, fx);
    if (cell.state) {
      const afterwards = await cell.state();
      if (expected === "ALLOWED") {
        assert.notDeepEqual(afterwards, before, "an allowed change shows when read back");
        counts.allowedChanges++;
      } else {
        assert.deepEqual(afterwards, before, "a refused mutation changes nothing");
        counts.denialsUnchanged++;
      }
    }
  } finally {
    // Also after a surprise, so one wrong cell does not spoil the rest of a serial row.
    await cell.cleanup?.();
  }
}

// ---- the test -------------------------------------------------------------------------------

let service: TestService;
let fx: Fixtures;

before(async () => {
  service = await startTestService();
  const seed = new Seed(service.client);
  const creator = await seed.user();
  const org = await creator.organization();
  const [project, otherProject] = await Promise.all([org.project(), org.project()]);
  const orgRoles = [
    "ORG_OWNER",
    "ORG_MEMBER",
    "ORG_READ_ONLY",
    "ORG_GROUP_CREATOR",
    "ORG_BILLING_ADMIN",
  ];
  const projectRoles = ["GROUP_OWNER", "GROUP_USER_ADMIN", "GROUP_READ_ONLY"];
  const [orgMembers, projectMembers, outsider, keys] = await Promise.all([
    Promise.all(orgRoles.map((role) => org.member([role]))),
    Promise.all(projectRoles.map((role) => project.member([role]))),
    seed.user().then(async (user) => {
      await user.organization();
      return user;
    }),
    Promise.all([
      org.apiKey({ roles: ["ORG_OWNER"] }),
      org.apiKey({ roles: ["ORG_MEMBER"] }),
      project.apiKey({ roles: ["GROUP_OWNER"] }),
      project.apiKey({ roles: ["GROUP_READ_ONLY"] }),
    ]),
  ]);
  const [owner, member, readOnly, groupCreator, billingAdmin] = orgMembers;
  const [groupOwner, groupUserAdmin, groupReadOnly] = projectMembers;
  const [ownerKey, memberKey, projectKey, readKey] = keys;
  const user = (actor: UserActor) => ({ client: actor.client, user: actor });
  const { organization } = await creator.client.query(
    `query ($id: ID!) { organization(id: $id) {
       events(first: 100, filter: { types: [API_KEY_CREATED, GROUP_CREATED] }) {
         edges { node { id type project { id } } } } } }`,
    { id: org.id },
  );
  const eventNodes = organization.events.edges.map((edge: any) => edge.node);
  const events = {
    organization: eventNodes.find((node: any) => node.type === "API_KEY_CREATED" && !node.project)
      .id,
    project: eventNodes.find(
      (node: any) => node.type === "GROUP_CREATED" && node.project.id === project.id,
    ).id,
  };
  fx = {
    service,
    seed,
    creator,
    org,
    project,
    otherProject,
    readKey,
    events,
    callers: {
      ORG_OWNER: user(owner),
      ORG_MEMBER: user(member),
      ORG_READ_ONLY: user(readOnly),
      ORG_GROUP_CREATOR: user(groupCreator),
      ORG_BILLING_ADMIN: user(billingAdmin),
      GROUP_OWNER: user(groupOwner),
      GROUP_USER_ADMIN: user(groupUserAdmin),
      GROUP_READ_ONLY: user(groupReadOnly),
      OTHER_ORG_USER: user(outsider),
      ANONYMOUS: { client: service.client },
      ORG_OWNER_KEY: { client: ownerKey.client },
      ORG_MEMBER_KEY: { client: memberKey.client },
      PROJECT_KEY: { client: projectKey.client },
    },
  };
});

after(async () => {
  console.log(
    `authorization matrix: ${counts.pairs} operation × caller pairs checked, ` +
      `${counts.denialsUnchanged} refused mutations verified unchanged, ` +
      `${counts.allowedChanges} allowed mutations verified changed, ` +
      `${counts.deviations} known deviations (todo)`,
  );
  await service?.stop();
});

test(
  "authorization matrix: every guarded operation × every kind of caller answers as the table says",
  // About 20 s on an idle machine; most of it is argon2 for the fresh users that the membership
  // rows need. The run's default 120 s per test is too tight on a small, busy CI runner.
  { concurrency: true, timeout: 300_000 },
  async (t) => {
    await t.test(
      "the table has a row for every mutation and role-guarded field of the contract (and of next.graphql's resolved parts)",
      () => {
        const contract = contractNext.coveredContract();
        const required = new Set([
          "Query.node",
          "Query.organization",
          "Query.project",
          "Query.apiKey",
          "Organization.members",
          "Organization.projects",
        ]);
        for (const type of Object.values(contract.getTypeMap())) {
          if (!isObjectType(type) || type.name.startsWith("__")) continue;
          for (const field of Object.values(type.getFields())) {
            const guarded = (field.astNode?.directives ?? []).some((directive) =>
              ["hasOrgRole", "hasProjectRole", "userOnly"].includes(directive.name.value),
            );
            const isMutation =
              type.name === "Mutation" && !["signUp", "logIn"].includes(field.name);
            if (guarded || isMutation) required.add(`${type.name}.${field.name}`);
          }
        }
        const covered = new Set([...PERMISSIONS.keys()].map((row) => row.replace(/\(.*\)$/, "")));
        assert.deepEqual(
          [...required].filter((name) => !covered.has(name)),
          [],
        );
        assert.deepEqual(
          OPERATIONS.map((operation) => operation.row).sort(),
          [...PERMISSIONS.keys()].sort(),
          "one operation per row",
        );
      },
    );

    const runRow = async (operation: Operation) => {
      const cellTest = (principal: PrincipalName) => {
        const expected = PERMISSIONS.get(operation.row)![principal];
        const key = `${operation.row} × ${principal}`;
        const todo = KNOWN_DEVIATIONS[key];
        if (todo) counts.deviations++;
        return t.test(`${key} → ${expected} (${operation.target})`, { todo }, () =>
          runCell(fx, operation, principal),
        );
      };
      if (operation.serial) {
        for (const principal of PRINCIPALS) await cellTest(principal);
      } else {
        await Promise.all(PRINCIPALS.map(cellTest));
      }
    };

    // Reads change nothing: all at once. Mutations act on fresh targets of their own, so two rows
    // run side by side (each row's cells too); rows on O's shared settings run alone, last, so
    // that no other row sees O's settings changed under it.
    await Promise.all(OPERATIONS.filter((operation) => operation.answer).map(runRow));
    const independent = OPERATIONS.filter((operation) => !operation.answer && !operation.serial);
    const lanes = [0, 1].map(async (lane) => {
      for (let index = lane; index < independent.length; index += 2) {
        await runRow(independent[index]);
      }
    });
    await Promise.all(lanes);
    for (const operation of OPERATIONS.filter((operation) => operation.serial)) {
      await runRow(operation);
    }
    t.diagnostic(
      `${counts.pairs} pairs checked; ${counts.denialsUnchanged} denials verified unchanged; ` +
        `${counts.allowedChanges} allowed changes verified; ${counts.deviations} known deviations`,
    );
  },
);
