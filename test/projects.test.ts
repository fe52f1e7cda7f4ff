import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Client } from "./support/client";
import {
  assertNotMentioned,
  assertReadsAsUnknown,
  codesAndFields,
  payloadOf,
  randomId,
} from "./support/isolation";
import {
  Seed,
  unique,
  type OrganizationFixture,
  type ProjectFixture,
  type UserActor,
} from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const ALL_PROJECT_ROLES = [
  "GROUP_OWNER",
  "GROUP_USER_ADMIN",
  "GROUP_READ_ONLY",
  "GROUP_CLUSTER_MANAGER",
  "GROUP_DATA_ACCESS_ADMIN",
  "GROUP_DATA_ACCESS_READ_WRITE",
  "GROUP_DATA_ACCESS_READ_ONLY",
  "GROUP_AUTOMATION_ADMIN",
  "GROUP_BACKUP_ADMIN",
  "GROUP_MONITORING_ADMIN",
];

const USER_ERRORS = `userErrors { code field message }`;
const SIGN_UP = `mutation ($input: SignUpInput!) {
  signUp(input: $input) { token user { id } ${USER_ERRORS} } }`;
const CREATE_ORGANIZATION = `mutation ($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { organization { id } ${USER_ERRORS} } }`;
const ADD_ORGANIZATION_MEMBER = `mutation ($input: AddOrganizationMemberInput!) {
  addOrganizationMember(input: $input) { membership { roles } ${USER_ERRORS} } }`;
const UPDATE_SETTINGS = `mutation ($input: UpdateOrganizationSettingsInput!) {
  updateOrganizationSettings(input: $input) { organization { id } ${USER_ERRORS} } }`;
const CREATE_PROJECT = `mutation ($input: CreateProjectInput!) {
  createProject(input: $input) {
    project { id name organization { id } viewerRoles
      members { totalCount edges { node { roles user { id } } } } }
    ${USER_ERRORS} } }`;
const ADD_MEMBER = `mutation ($input: AddProjectMemberInput!) {
  addProjectMember(input: $input) {
    membership { roles user { id } project { id } } ${USER_ERRORS} } }`;
const UPDATE_MEMBER_ROLES = `mutation ($input: UpdateProjectMemberRolesInput!) {
  updateProjectMemberRoles(input: $input) {
    membership { roles user { id } project { id } } ${USER_ERRORS} } }`;
const REMOVE_MEMBER = `mutation ($input: RemoveProjectMemberInput!) {
  removeProjectMember(input: $input) { removedUserId ${USER_ERRORS} } }`;

const PROJECT = `query ($id: ID!) {
  project(id: $id) { id name organization { id } viewerRoles } }`;
const PROJECT_MEMBERS = `query ($id: ID!, $first: Int, $after: String) {
  project(id: $id) { members(first: $first, after: $after) {
    totalCount edges { cursor node { roles user { id } project { id } } }
    pageInfo { hasNextPage endCursor } } } }`;
const PROJECT_API_KEYS = `query ($id: ID!) {
  project(id: $id) { apiKeys { totalCount edges { node { roles apiKey { id } project { id } } } } } }`;
const ORGANIZATION = `query ($id: ID!) { organization(id: $id) { id viewerRoles } }`;
const ORGANIZATIONS = `{ organizations { edges { node { id } } } }`;
const ORGANIZATION_PROJECTS = `query ($id: ID!, $first: Int, $after: String) {
  organization(id: $id) { projects(first: $first, after: $after) {
    totalCount edges { cursor node { id viewerRoles } } pageInfo { hasNextPage endCursor } } } }`;
const NODE = `query ($id: ID!) { node(id: $id) { __typename id } }`;

async function projectRoles(client: Client, projectId: string) {
  const data = await client.query(PROJECT_MEMBERS, { id: projectId, first: 100 });
  return new Map<string, string[]>(
    data.project.members.edges.map((edge: any) => [edge.node.user.id, edge.node.roles]),
  );
}

/** The caller's viewerRoles in a project, sorted; null when the project is not visible. */
async function viewerRoles(client: Client, projectId: string): Promise<string[] | null> {
  const data = await client.query(PROJECT, { id: projectId });
  return data.project ? [...data.project.viewerRoles].sort() : null;
}

/** Ids of the organization's projects the caller sees through `Organization.projects`. */
async function listedProjects(client: Client, organizationId: string): Promise<string[]> {
  const data = await client.query(ORGANIZATION_PROJECTS, { id: organizationId, first: 100 });
  return data.organization.projects.edges.map((edge: any) => edge.node.id).sort();
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

describe("projects and their members", () => {
  let service: TestService;
  let seed: Seed;
  /** A user with an organization and a project of their own: the caller from another organization. */
  let outsider: UserActor;
  let outsiderProject: ProjectFixture;

  before(async () => {
    service = await startTestService();
    seed = new Seed(service.client);
    outsider = await seed.user();
    outsiderProject = await (await outsider.organization()).project();
  });
  after(() => service.stop());

  async function newOrganization(): Promise<OrganizationFixture> {
    return (await seed.user()).organization();
  }

  /** A project whose GROUP_OWNER is an ORG_GROUP_CREATOR, so project roles are not masked by ORG_OWNER. */
  async function projectOwnedByGroupCreator() {
    const org = await newOrganization();
    const creator = await org.member(["ORG_GROUP_CREATOR"]);
    const payload = await creator.client.mutate(CREATE_PROJECT, {
      input: { organizationId: org.id, name: unique("project") },
    });
    return { org, creator, projectId: payload.project.id as string };
  }

  describe("createProject", () => {
    it("an ORG_OWNER creates a project, becomes its GROUP_OWNER and holds every project role", async () => {
      const org = await newOrganization();
      const name = unique("Atlas");
      const payload = await org.client.mutate(CREATE_PROJECT, {
        input: { organizationId: org.id, name },
      });
      const id = payload.project.id;
      assert.equal(payload.project.name, name);
      assert.deepEqual(payload.project.organization, { id: org.id });
      assert.deepEqual(payload.project.members, {
        totalCount: 1,
        edges: [{ node: { roles: ["GROUP_OWNER"], user: { id: org.owner.id } } }],
      });
      const read = await org.client.query(PROJECT, { id });
      assert.equal(read.project.name, name);
      assert.deepEqual(read.project.organization, { id: org.id });
      assert.deepEqual(sorted(read.project.viewerRoles), sorted(ALL_PROJECT_ROLES));
      assert.deepEqual(await org.client.query(NODE, { id }), {
        node: { __typename: "Project", id },
      });
      assert.deepEqual(await listedProjects(org.client, org.id), [id]);
    });

    it("an ORG_GROUP_CREATOR creates a project and becomes its GROUP_OWNER", async () => {
      const { org, creator, projectId } = await projectOwnedByGroupCreator();
      assert.deepEqual(
        await projectRoles(creator.client, projectId),
        new Map([[creator.id, ["GROUP_OWNER"]]]),
      );
      assert.ok((await viewerRoles(creator.client, projectId))!.includes("GROUP_OWNER"));
      assert.deepEqual(await listedProjects(creator.client, org.id), [projectId]);
      // The organization's owner holds every role in it without being a member.
      assert.deepEqual(await viewerRoles(org.client, projectId), sorted(ALL_PROJECT_ROLES));
    });

    it("a name the organization already uses is ALREADY_EXISTS on input.name, even with spaces around it", async () => {
      const org = await newOrganization();
      const project = await org.project();
      for (const name of [project.name, `  ${project.name} `]) {
        const errors = await org.client.userErrors(CREATE_PROJECT, {
          input: { organizationId: org.id, name },
        });
        assert.deepEqual(codesAndFields(errors), [["ALREADY_EXISTS", "input.name"]]);
      }
      assert.deepEqual(await listedProjects(org.client, org.id), [project.id]);
    });

    it("another organization may use the same name", async () => {
      const org = await newOrganization();
      const other = await newOrganization();
      const project = await org.project();
      const twin = await other.project(project.name);
      assert.notEqual(twin.id, project.id);
    });

    it("creating the same name twice at once: the database lets exactly one through", async () => {
      const org = await newOrganization();
      const input = { organizationId: org.id, name: unique("race") };
      const results = await Promise.all([
        org.client.raw(CREATE_PROJECT, { input }),
        org.client.raw(CREATE_PROJECT, { input }),
      ]);
      const codes = results.map((result) => {
        assert.equal(result.errors, undefined, result.text);
        return (
          payloadOf(result)
            .userErrors.map((e: any) => e.code)
            .join() || "ok"
        );
      });
      assert.deepEqual(codes.sort(), ["ALREADY_EXISTS", "ok"]);
      assert.equal((await listedProjects(org.client, org.id)).length, 1);
    });

    it("an empty, blank or over-long name is INVALID_INPUT on input.name", async () => {
      const org = await newOrganization();
      for (const name of ["", "   ", "x".repeat(65)]) {
        const errors = await org.client.userErrors(CREATE_PROJECT, {
          input: { organizationId: org.id, name },
        });
        assert.deepEqual(codesAndFields(errors), [["INVALID_INPUT", "input.name"]], name);
      }
      assert.deepEqual(await listedProjects(org.client, org.id), []);
    });

    it("an unknown, malformed or mistyped organization id is NOT_FOUND on input.organizationId", async () => {
      const org = await newOrganization();
      const project = await org.project();
      for (const organizationId of [randomId("Organization"), "not-an-id", project.id]) {
        const errors = await org.client.userErrors(CREATE_PROJECT, {
          input: { organizationId, name: unique("p") },
        });
        assert.deepEqual(codesAndFields(errors), [["NOT_FOUND", "input.organizationId"]]);
      }
    });

    it("an ORG_MEMBER, ORG_READ_ONLY or billing admin gets FORBIDDEN", async () => {
      const org = await newOrganization();
      for (const roles of [["ORG_MEMBER"], ["ORG_READ_ONLY"], ["ORG_BILLING_ADMIN"]]) {
        const member = await org.member(roles);
        assert.equal(
          await member.client.errorCode(CREATE_PROJECT, {
            input: { organizationId: org.id, name: unique("p") },
          }),
          "FORBIDDEN",
          roles.join(),
        );
      }
      assert.deepEqual(await listedProjects(org.client, org.id), []);
    });

    it("another organization's id reads exactly like an unknown one", async () => {
      const org = await newOrganization();
      await assertReadsAsUnknown(
        outsider.client,
        CREATE_PROJECT,
        { name: unique("intruder") },
        "organizationId",
        org.id,
      );
      assert.deepEqual(await listedProjects(org.client, org.id), []);
    });

    it("an anonymous caller gets UNAUTHENTICATED", async () => {
      const org = await newOrganization();
      assert.equal(
        await service.client.errorCode(CREATE_PROJECT, {
          input: { organizationId: org.id, name: unique("p") },
        }),
        "UNAUTHENTICATED",
      );
    });
  });

  describe("addProjectMember", () => {
    it("a GROUP_OWNER adds an organization member with roles; the member then sees the project with them", async () => {
      const { org, creator, projectId } = await projectOwnedByGroupCreator();
      const member = await org.member(["ORG_MEMBER"]);
      assert.equal(await viewerRoles(member.client, projectId), null);
      const payload = await creator.client.mutate(ADD_MEMBER, {
        input: { projectId, userId: member.id, roles: ["GROUP_READ_ONLY", "GROUP_BACKUP_ADMIN"] },
      });
      assert.deepEqual(payload.membership.user, { id: member.id });
      assert.deepEqual(payload.membership.project, { id: projectId });
      assert.deepEqual(sorted(payload.membership.roles), ["GROUP_BACKUP_ADMIN", "GROUP_READ_ONLY"]);
      assert.deepEqual(await viewerRoles(member.client, projectId), [
        "GROUP_BACKUP_ADMIN",
        "GROUP_READ_ONLY",
      ]);
      assert.deepEqual(sorted((await projectRoles(creator.client, projectId)).get(member.id)!), [
        "GROUP_BACKUP_ADMIN",
        "GROUP_READ_ONLY",
      ]);
      assert.deepEqual(await listedProjects(member.client, org.id), [projectId]);
    });

    it("a GROUP_USER_ADMIN may grant GROUP_CLUSTER_MANAGER", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const admin = await project.member(["GROUP_USER_ADMIN"]);
      const member = await org.member(["ORG_MEMBER"]);
      const payload = await admin.client.mutate(ADD_MEMBER, {
        input: { projectId: project.id, userId: member.id, roles: ["GROUP_CLUSTER_MANAGER"] },
      });
      assert.deepEqual(payload.membership.roles, ["GROUP_CLUSTER_MANAGER"]);
      assert.deepEqual(await viewerRoles(member.client, project.id), ["GROUP_CLUSTER_MANAGER"]);
    });

    it("a GROUP_USER_ADMIN cannot grant GROUP_OWNER: FORBIDDEN, and nobody is added", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const admin = await project.member(["GROUP_USER_ADMIN"]);
      const member = await org.member(["ORG_MEMBER"]);
      for (const roles of [["GROUP_OWNER"], ["GROUP_READ_ONLY", "GROUP_OWNER"]]) {
        assert.equal(
          await admin.client.errorCode(ADD_MEMBER, {
            input: { projectId: project.id, userId: member.id, roles },
          }),
          "FORBIDDEN",
        );
      }
      assert.equal(await viewerRoles(member.client, project.id), null);
    });

    it("a GROUP_READ_ONLY member or an ORG_READ_ONLY gets FORBIDDEN", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const readOnly = await project.member(["GROUP_READ_ONLY", "GROUP_CLUSTER_MANAGER"]);
      const orgReadOnly = await org.member(["ORG_READ_ONLY"]);
      const member = await org.member(["ORG_MEMBER"]);
      for (const caller of [readOnly, orgReadOnly]) {
        assert.equal(
          await caller.client.errorCode(ADD_MEMBER, {
            input: { projectId: project.id, userId: member.id, roles: ["GROUP_READ_ONLY"] },
          }),
          "FORBIDDEN",
        );
      }
      assert.equal(await viewerRoles(member.client, project.id), null);
    });

    it("a user the caller can see who is not in the project's organization is WRONG_ORGANIZATION on input.userId", async () => {
      const org = await newOrganization();
      const project = await org.project();
      // The owner's second organization, where they met `colleague`.
      const elsewhere = await org.owner.organization();
      const colleague = await elsewhere.member(["ORG_MEMBER"]);
      const errors = await org.client.userErrors(ADD_MEMBER, {
        input: { projectId: project.id, userId: colleague.id, roles: ["GROUP_READ_ONLY"] },
      });
      assert.deepEqual(codesAndFields(errors), [["WRONG_ORGANIZATION", "input.userId"]]);
      assert.ok(!(await projectRoles(org.client, project.id)).has(colleague.id));
    });

    it("a user the caller cannot see reads exactly like an unknown id: NOT_FOUND, not WRONG_ORGANIZATION", async () => {
      const org = await newOrganization();
      const project = await org.project();
      await assertReadsAsUnknown(
        org.client,
        ADD_MEMBER,
        { projectId: project.id, roles: ["GROUP_READ_ONLY"] },
        "userId",
        outsider.id,
      );
      const errors = await org.client.userErrors(ADD_MEMBER, {
        input: { projectId: project.id, userId: "not-an-id", roles: ["GROUP_READ_ONLY"] },
      });
      assert.deepEqual(codesAndFields(errors), [["NOT_FOUND", "input.userId"]]);
    });

    it("a user already in the project is ALREADY_EXISTS on input.userId, keeping their roles", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const member = await project.member(["GROUP_READ_ONLY"]);
      const errors = await org.client.userErrors(ADD_MEMBER, {
        input: { projectId: project.id, userId: member.id, roles: ["GROUP_CLUSTER_MANAGER"] },
      });
      assert.deepEqual(codesAndFields(errors), [["ALREADY_EXISTS", "input.userId"]]);
      assert.deepEqual(await viewerRoles(member.client, project.id), ["GROUP_READ_ONLY"]);
    });

    it("an empty role list is INVALID_INPUT on input.roles", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const member = await org.member(["ORG_MEMBER"]);
      const errors = await org.client.userErrors(ADD_MEMBER, {
        input: { projectId: project.id, userId: member.id, roles: [] },
      });
      assert.deepEqual(codesAndFields(errors), [["INVALID_INPUT", "input.roles"]]);
    });

    it("a project the caller cannot see, in their own organization or another, reads exactly like an unknown one", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const member = await org.member(["ORG_MEMBER"]);
      // A plain member of the organization with no role in the project.
      await assertReadsAsUnknown(
        member.client,
        ADD_MEMBER,
        { userId: member.id, roles: ["GROUP_READ_ONLY"] },
        "projectId",
        project.id,
      );
      // A user of another organization, naming themself.
      await assertReadsAsUnknown(
        outsider.client,
        ADD_MEMBER,
        { userId: outsider.id, roles: ["GROUP_OWNER"] },
        "projectId",
        project.id,
      );
      assert.deepEqual([...(await projectRoles(org.client, project.id)).keys()], [org.owner.id]);
    });

    it("an anonymous caller gets UNAUTHENTICATED", async () => {
      const org = await newOrganization();
      const project = await org.project();
      assert.equal(
        await service.client.errorCode(ADD_MEMBER, {
          input: { projectId: project.id, userId: org.owner.id, roles: ["GROUP_READ_ONLY"] },
        }),
        "UNAUTHENTICATED",
      );
    });
  });

  describe("updateProjectMemberRoles", () => {
    it("a GROUP_OWNER replaces a member's roles; the member's viewerRoles follow", async () => {
      const { org, creator, projectId } = await projectOwnedByGroupCreator();
      const member = await org.member(["ORG_MEMBER"]);
      await creator.client.mutate(ADD_MEMBER, {
        input: { projectId, userId: member.id, roles: ["GROUP_READ_ONLY"] },
      });
      const payload = await creator.client.mutate(UPDATE_MEMBER_ROLES, {
        input: {
          projectId,
          userId: member.id,
          roles: ["GROUP_DATA_ACCESS_ADMIN", "GROUP_MONITORING_ADMIN"],
        },
      });
      assert.deepEqual(payload.membership.user, { id: member.id });
      assert.deepEqual(sorted(payload.membership.roles), [
        "GROUP_DATA_ACCESS_ADMIN",
        "GROUP_MONITORING_ADMIN",
      ]);
      assert.deepEqual(await viewerRoles(member.client, projectId), [
        "GROUP_DATA_ACCESS_ADMIN",
        "GROUP_MONITORING_ADMIN",
      ]);
    });

    it("a GROUP_USER_ADMIN may grant GROUP_CLUSTER_MANAGER but not GROUP_OWNER (FORBIDDEN)", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const admin = await project.member(["GROUP_USER_ADMIN"]);
      const member = await project.member(["GROUP_READ_ONLY"]);
      await admin.client.mutate(UPDATE_MEMBER_ROLES, {
        input: { projectId: project.id, userId: member.id, roles: ["GROUP_CLUSTER_MANAGER"] },
      });
      assert.deepEqual(await viewerRoles(member.client, project.id), ["GROUP_CLUSTER_MANAGER"]);
      assert.equal(
        await admin.client.errorCode(UPDATE_MEMBER_ROLES, {
          input: { projectId: project.id, userId: member.id, roles: ["GROUP_OWNER"] },
        }),
        "FORBIDDEN",
      );
      assert.equal(
        await admin.client.errorCode(UPDATE_MEMBER_ROLES, {
          input: { projectId: project.id, userId: admin.id, roles: ["GROUP_OWNER"] },
        }),
        "FORBIDDEN",
      );
      assert.deepEqual(await viewerRoles(member.client, project.id), ["GROUP_CLUSTER_MANAGER"]);
      assert.deepEqual(await viewerRoles(admin.client, project.id), ["GROUP_USER_ADMIN"]);
    });

    it("a GROUP_USER_ADMIN cannot take GROUP_OWNER away from an owner: FORBIDDEN", async () => {
      const { org, creator, projectId } = await projectOwnedByGroupCreator();
      const admin = await org.member(["ORG_MEMBER"]);
      await creator.client.mutate(ADD_MEMBER, {
        input: { projectId, userId: admin.id, roles: ["GROUP_USER_ADMIN"] },
      });
      assert.equal(
        await admin.client.errorCode(UPDATE_MEMBER_ROLES, {
          input: { projectId, userId: creator.id, roles: ["GROUP_READ_ONLY"] },
        }),
        "FORBIDDEN",
      );
      assert.deepEqual((await projectRoles(creator.client, projectId)).get(creator.id), [
        "GROUP_OWNER",
      ]);
    });

    it("a GROUP_READ_ONLY member gets FORBIDDEN", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const readOnly = await project.member(["GROUP_READ_ONLY"]);
      assert.equal(
        await readOnly.client.errorCode(UPDATE_MEMBER_ROLES, {
          input: { projectId: project.id, userId: readOnly.id, roles: ["GROUP_USER_ADMIN"] },
        }),
        "FORBIDDEN",
      );
      assert.deepEqual(await viewerRoles(readOnly.client, project.id), ["GROUP_READ_ONLY"]);
    });

    it("an organization member outside the project, or an unknown or malformed id, is NOT_FOUND on input.userId", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const member = await org.member(["ORG_MEMBER"]);
      for (const userId of [member.id, randomId("User"), "not-an-id"]) {
        const errors = await org.client.userErrors(UPDATE_MEMBER_ROLES, {
          input: { projectId: project.id, userId, roles: ["GROUP_READ_ONLY"] },
        });
        assert.deepEqual(codesAndFields(errors), [["NOT_FOUND", "input.userId"]]);
      }
      assert.equal(await viewerRoles(member.client, project.id), null);
    });

    it("an empty role list is INVALID_INPUT on input.roles", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const member = await project.member(["GROUP_READ_ONLY"]);
      const errors = await org.client.userErrors(UPDATE_MEMBER_ROLES, {
        input: { projectId: project.id, userId: member.id, roles: [] },
      });
      assert.deepEqual(codesAndFields(errors), [["INVALID_INPUT", "input.roles"]]);
    });

    it("another organization's project, and a member of another organization's project, read exactly like unknown ids", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const member = await project.member(["GROUP_READ_ONLY"]);
      await assertReadsAsUnknown(
        outsider.client,
        UPDATE_MEMBER_ROLES,
        { userId: member.id, roles: ["GROUP_OWNER"] },
        "projectId",
        project.id,
      );
      await assertReadsAsUnknown(
        org.client,
        UPDATE_MEMBER_ROLES,
        { projectId: project.id, roles: ["GROUP_READ_ONLY"] },
        "userId",
        outsider.id,
      );
      assert.deepEqual(await viewerRoles(member.client, project.id), ["GROUP_READ_ONLY"]);
      assert.ok((await viewerRoles(outsider.client, outsiderProject.id))!.includes("GROUP_OWNER"));
    });

    it("an anonymous caller gets UNAUTHENTICATED", async () => {
      const org = await newOrganization();
      const project = await org.project();
      assert.equal(
        await service.client.errorCode(UPDATE_MEMBER_ROLES, {
          input: { projectId: project.id, userId: org.owner.id, roles: ["GROUP_READ_ONLY"] },
        }),
        "UNAUTHENTICATED",
      );
    });
  });

  describe("removeProjectMember", () => {
    it("a GROUP_OWNER removes a member, who then no longer sees the project but stays in the organization", async () => {
      const { org, creator, projectId } = await projectOwnedByGroupCreator();
      const member = await org.member(["ORG_MEMBER"]);
      await creator.client.mutate(ADD_MEMBER, {
        input: { projectId, userId: member.id, roles: ["GROUP_READ_ONLY"] },
      });
      const payload = await creator.client.mutate(REMOVE_MEMBER, {
        input: { projectId, userId: member.id },
      });
      assert.equal(payload.removedUserId, member.id);
      assert.equal(await viewerRoles(member.client, projectId), null);
      assert.deepEqual(await listedProjects(member.client, org.id), []);
      assert.deepEqual([...(await projectRoles(creator.client, projectId)).keys()], [creator.id]);
      const seen = await member.client.query(ORGANIZATION, { id: org.id });
      assert.deepEqual(seen.organization, { id: org.id, viewerRoles: ["ORG_MEMBER"] });
    });

    it("a GROUP_USER_ADMIN removes a member without GROUP_OWNER", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const admin = await project.member(["GROUP_USER_ADMIN"]);
      const member = await project.member(["GROUP_CLUSTER_MANAGER"]);
      await admin.client.mutate(REMOVE_MEMBER, {
        input: { projectId: project.id, userId: member.id },
      });
      assert.equal(await viewerRoles(member.client, project.id), null);
    });

    it("a GROUP_USER_ADMIN cannot remove a GROUP_OWNER: FORBIDDEN", async () => {
      const { org, creator, projectId } = await projectOwnedByGroupCreator();
      const admin = await org.member(["ORG_MEMBER"]);
      await creator.client.mutate(ADD_MEMBER, {
        input: { projectId, userId: admin.id, roles: ["GROUP_USER_ADMIN"] },
      });
      assert.equal(
        await admin.client.errorCode(REMOVE_MEMBER, {
          input: { projectId, userId: creator.id },
        }),
        "FORBIDDEN",
      );
      assert.ok((await viewerRoles(creator.client, projectId))!.includes("GROUP_OWNER"));
    });

    it("a GROUP_READ_ONLY member gets FORBIDDEN", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const readOnly = await project.member(["GROUP_READ_ONLY"]);
      const other = await project.member(["GROUP_READ_ONLY"]);
      assert.equal(
        await readOnly.client.errorCode(REMOVE_MEMBER, {
          input: { projectId: project.id, userId: other.id },
        }),
        "FORBIDDEN",
      );
      assert.deepEqual(await viewerRoles(other.client, project.id), ["GROUP_READ_ONLY"]);
    });

    it("an organization member outside the project, or an unknown or malformed id, is NOT_FOUND on input.userId", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const member = await org.member(["ORG_MEMBER"]);
      for (const userId of [member.id, randomId("User"), "not-an-id"]) {
        const errors = await org.client.userErrors(REMOVE_MEMBER, {
          input: { projectId: project.id, userId },
        });
        assert.deepEqual(codesAndFields(errors), [["NOT_FOUND", "input.userId"]]);
      }
    });

    it("another organization's project, and a member of another organization's project, read exactly like unknown ids", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const member = await project.member(["GROUP_READ_ONLY"]);
      await assertReadsAsUnknown(
        outsider.client,
        REMOVE_MEMBER,
        { userId: member.id },
        "projectId",
        project.id,
      );
      await assertReadsAsUnknown(
        org.client,
        REMOVE_MEMBER,
        { projectId: project.id },
        "userId",
        outsider.id,
      );
      assert.deepEqual(await viewerRoles(member.client, project.id), ["GROUP_READ_ONLY"]);
      assert.ok(await viewerRoles(outsider.client, outsiderProject.id));
    });

    it("an anonymous caller gets UNAUTHENTICATED", async () => {
      const org = await newOrganization();
      const project = await org.project();
      assert.equal(
        await service.client.errorCode(REMOVE_MEMBER, {
          input: { projectId: project.id, userId: org.owner.id },
        }),
        "UNAUTHENTICATED",
      );
    });
  });

  describe("project(id) and who sees which project", () => {
    it("an ORG_OWNER sees every project of the organization, holding every project role", async () => {
      const { org, projectId } = await projectOwnedByGroupCreator();
      const ownProject = await org.project();
      const coOwner = await org.member(["ORG_OWNER"]);
      for (const owner of [org.owner, coOwner]) {
        assert.deepEqual(
          await listedProjects(owner.client, org.id),
          sorted([projectId, ownProject.id]),
        );
        for (const id of [projectId, ownProject.id]) {
          assert.deepEqual(await viewerRoles(owner.client, id), sorted(ALL_PROJECT_ROLES));
        }
      }
    });

    it("an ORG_READ_ONLY sees every project with GROUP_READ_ONLY, plus any role held there", async () => {
      const org = await newOrganization();
      const first = await org.project();
      const second = await org.project();
      const readOnly = await org.member(["ORG_READ_ONLY"]);
      assert.deepEqual(
        await listedProjects(readOnly.client, org.id),
        sorted([first.id, second.id]),
      );
      assert.deepEqual(await viewerRoles(readOnly.client, first.id), ["GROUP_READ_ONLY"]);
      await second.addMember(readOnly, ["GROUP_CLUSTER_MANAGER"]);
      assert.deepEqual(await viewerRoles(readOnly.client, second.id), [
        "GROUP_CLUSTER_MANAGER",
        "GROUP_READ_ONLY",
      ]);
    });

    it("a plain ORG_MEMBER or ORG_GROUP_CREATOR sees only the projects they hold a role in", async () => {
      const org = await newOrganization();
      const theirs = await org.project();
      const other = await org.project();
      for (const organizationRoles of [["ORG_MEMBER"], ["ORG_GROUP_CREATOR"]]) {
        const member = await theirs.member(["GROUP_READ_ONLY"], organizationRoles);
        assert.deepEqual(await listedProjects(member.client, org.id), [theirs.id]);
        const data = await member.client.query(ORGANIZATION_PROJECTS, { id: org.id });
        assert.equal(data.organization.projects.totalCount, 1);
        assert.deepEqual(await viewerRoles(member.client, theirs.id), ["GROUP_READ_ONLY"]);
        assert.deepEqual(await member.client.query(PROJECT, { id: other.id }), { project: null });
        assert.deepEqual(await member.client.query(NODE, { id: other.id }), { node: null });
      }
    });

    it("an outsider, an anonymous caller, an unknown id and a mistyped id all get null", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const cases: [Client, string][] = [
        [outsider.client, project.id],
        [service.client, project.id],
        [org.client, randomId("Project")],
        [org.client, org.id],
        [org.client, "not-an-id"],
      ];
      for (const [client, id] of cases) {
        const result = await client.raw(PROJECT, { id });
        assert.equal(result.errors, undefined, result.text);
        assert.deepEqual(result.data, { project: null });
      }
      const foreign = await outsider.client.raw(NODE, { id: project.id });
      const unknown = await outsider.client.raw(NODE, { id: randomId("Project") });
      assert.deepEqual(foreign.data, { node: null });
      assert.equal(foreign.text, unknown.text);
      assertNotMentioned(foreign.text, project.id);
    });

    it("Project.organization and Project.members are readable by anyone who sees the project", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const member = await project.member(["GROUP_DATA_ACCESS_READ_ONLY"]);
      const readOnly = await org.member(["ORG_READ_ONLY"]);
      for (const caller of [member, readOnly]) {
        const data = await caller.client.query(PROJECT, { id: project.id });
        assert.deepEqual(data.project.organization, { id: org.id });
        const members = await caller.client.query(PROJECT_MEMBERS, { id: project.id });
        assert.equal(members.project.members.totalCount, 2);
        for (const edge of members.project.members.edges) {
          assert.deepEqual(edge.node.project, { id: project.id });
        }
        assert.deepEqual(
          await projectRoles(caller.client, project.id),
          new Map([
            [org.owner.id, ["GROUP_OWNER"]],
            [member.id, ["GROUP_DATA_ACCESS_READ_ONLY"]],
          ]),
        );
      }
    });

    it("Project.apiKeys is for GROUP_OWNER and GROUP_USER_ADMIN; GROUP_READ_ONLY and ORG_READ_ONLY get FORBIDDEN", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const key = await project.apiKey({ roles: ["GROUP_READ_ONLY"] });
      const admin = await project.member(["GROUP_USER_ADMIN"]);
      for (const caller of [org.owner, admin]) {
        const data = await caller.client.query(PROJECT_API_KEYS, { id: project.id });
        assert.deepEqual(data.project.apiKeys, {
          totalCount: 1,
          edges: [
            {
              node: {
                roles: ["GROUP_READ_ONLY"],
                apiKey: { id: key.id },
                project: { id: project.id },
              },
            },
          ],
        });
      }
      const readOnly = await project.member(["GROUP_READ_ONLY"]);
      const orgReadOnly = await org.member(["ORG_READ_ONLY"]);
      for (const caller of [readOnly, orgReadOnly]) {
        const result = await caller.client.raw(PROJECT_API_KEYS, { id: project.id });
        assert.equal(result.errors?.length, 1, result.text);
        assert.equal(result.errors![0].extensions?.code, "FORBIDDEN");
        assert.ok(!result.text.includes(key.id));
      }
    });
  });

  describe("racing a removal from the organization", () => {
    const REMOVE_FROM_ORGANIZATION = `mutation ($input: RemoveOrganizationMemberInput!) {
      removeOrganizationMember(input: $input) { removedUserId ${USER_ERRORS} } }`;
    const ROUNDS = 20;

    it("adding a project member while they are removed from the organization never leaves them a project role", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const user = await seed.user();
      for (let round = 0; round < ROUNDS; round++) {
        await org.addMember(user, ["ORG_MEMBER"]);
        const [added, removed] = await Promise.all([
          org.client.raw(ADD_MEMBER, {
            input: { projectId: project.id, userId: user.id, roles: ["GROUP_READ_ONLY"] },
          }),
          org.client.raw(REMOVE_FROM_ORGANIZATION, {
            input: { organizationId: org.id, userId: user.id },
          }),
        ]);
        assert.equal(added.errors, undefined, added.text);
        if (!payloadOf(added).membership) {
          // Once the removal commits, the user is outside the organization (WRONG_ORGANIZATION),
          // or, sharing no organization with the caller any more, not even visible (NOT_FOUND).
          const [error] = payloadOf(added).userErrors;
          assert.ok(["WRONG_ORGANIZATION", "NOT_FOUND"].includes(error.code), added.text);
          assert.deepEqual(error.field, ["input", "userId"]);
        }
        assert.equal(payloadOf(removed).removedUserId, user.id, removed.text);
        assert.equal(await viewerRoles(user.client, project.id), null, `round ${round}`);
        assert.ok(!(await projectRoles(org.client, project.id)).has(user.id), `round ${round}`);
      }
    });

    it("creating a project while the creator is removed from the organization never leaves them a project role", async () => {
      const org = await newOrganization();
      const creator = await seed.user();
      for (let round = 0; round < ROUNDS; round++) {
        await org.addMember(creator, ["ORG_GROUP_CREATOR"]);
        const [created, removed] = await Promise.all([
          creator.client.raw(CREATE_PROJECT, {
            input: { organizationId: org.id, name: unique("race") },
          }),
          org.client.raw(REMOVE_FROM_ORGANIZATION, {
            input: { organizationId: org.id, userId: creator.id },
          }),
        ]);
        assert.equal(payloadOf(removed).removedUserId, creator.id, removed.text);
        assert.equal(created.errors, undefined, created.text);
        const projectId = payloadOf(created).project?.id;
        if (!projectId) {
          // The removal committed first: the organization now reads as unknown to them.
          assert.deepEqual(codesAndFields(payloadOf(created).userErrors), [
            ["NOT_FOUND", "input.organizationId"],
          ]);
          continue;
        }
        assert.equal(await viewerRoles(creator.client, projectId), null, `round ${round}`);
        assert.ok(!(await projectRoles(org.client, projectId)).has(creator.id), `round ${round}`);
      }
    });
  });

  describe("connections", () => {
    it("Organization.projects: first defaults to 20; pages with `after` visit every project exactly once", async () => {
      const org = await newOrganization();
      const created: string[] = [];
      for (let i = 0; i < 22; i++) created.push((await org.project()).id);

      const firstPage = await org.client.query(ORGANIZATION_PROJECTS, { id: org.id });
      assert.equal(firstPage.organization.projects.edges.length, 20);
      assert.equal(firstPage.organization.projects.totalCount, 22);
      assert.equal(firstPage.organization.projects.pageInfo.hasNextPage, true);

      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const data: any = await org.client.query(ORGANIZATION_PROJECTS, {
          id: org.id,
          first: 6,
          after,
        });
        const page = data.organization.projects;
        assert.equal(page.totalCount, 22);
        assert.ok(page.edges.length <= 6);
        seen.push(...page.edges.map((edge: any) => edge.node.id));
        if (!page.pageInfo.hasNextPage) break;
        assert.equal(page.pageInfo.endCursor, page.edges.at(-1).cursor);
        after = page.pageInfo.endCursor;
      }
      assert.equal(seen.length, 22);
      assert.deepEqual(sorted(seen), sorted(created));
      assert.deepEqual(
        firstPage.organization.projects.edges.map((edge: any) => edge.node.id),
        seen.slice(0, 20),
      );
      const all = await org.client.query(ORGANIZATION_PROJECTS, { id: org.id, first: 100 });
      assert.equal(all.organization.projects.edges.length, 22);
      assert.equal(all.organization.projects.pageInfo.hasNextPage, false);
    });

    it("Project.members pages with `after`, each member exactly once", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const members = [org.owner.id];
      for (let i = 0; i < 4; i++) members.push((await project.member(["GROUP_READ_ONLY"])).id);
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const data: any = await org.client.query(PROJECT_MEMBERS, {
          id: project.id,
          first: 2,
          after,
        });
        const page = data.project.members;
        assert.equal(page.totalCount, 5);
        seen.push(...page.edges.map((edge: any) => edge.node.user.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      assert.deepEqual(sorted(seen), sorted(members));
    });

    it("first outside 1..100 and a cursor the server did not issue are BAD_USER_INPUT errors", async () => {
      const org = await newOrganization();
      const project = await org.project();
      for (const variables of [{ first: 0 }, { first: -5 }, { first: 101 }, { after: "bogus" }]) {
        assert.equal(
          await org.client.errorCode(ORGANIZATION_PROJECTS, { id: org.id, ...variables }),
          "BAD_USER_INPUT",
          JSON.stringify(variables),
        );
        assert.equal(
          await org.client.errorCode(PROJECT_MEMBERS, { id: project.id, ...variables }),
          "BAD_USER_INPUT",
          JSON.stringify(variables),
        );
      }
    });
  });

  it("sign up → organization → project → member with roles: the member sees exactly what the roles allow, an outsider sees nothing", async () => {
    const signUp = async (name: string) => {
      const email = `${unique(name)}@example.test`;
      const payload = await service.client.mutate(SIGN_UP, {
        input: { email, password: `pw-${randomUUID()}`, name },
      });
      return {
        id: payload.user.id as string,
        email,
        client: service.client.as({ kind: "bearer", token: payload.token }),
      };
    };
    const alice = await signUp("alice");
    const bob = await signUp("bob");
    const carol = await signUp("carol");

    const orgId = (
      await alice.client.mutate(CREATE_ORGANIZATION, { input: { name: unique("Alice Inc") } })
    ).organization.id;
    const createProject = async (client: Client, organizationId: string) =>
      (
        await client.mutate(CREATE_PROJECT, {
          input: { organizationId, name: unique("project") },
        })
      ).project.id as string;
    const shared = await createProject(alice.client, orgId);
    const hidden = await createProject(alice.client, orgId);
    await alice.client.mutate(ADD_ORGANIZATION_MEMBER, {
      input: { organizationId: orgId, email: bob.email, roles: ["ORG_MEMBER"] },
    });
    const bobRoles = ["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"];
    await alice.client.mutate(ADD_MEMBER, {
      input: { projectId: shared, userId: bob.id, roles: bobRoles },
    });
    // Carol has an organization and a project of her own.
    const carolOrg = (
      await carol.client.mutate(CREATE_ORGANIZATION, { input: { name: unique("Carol Ltd") } })
    ).organization.id;
    await createProject(carol.client, carolOrg);

    // Bob sees the organization, the one project he is in with exactly his roles, and its members.
    assert.deepEqual(await bob.client.query(ORGANIZATIONS), {
      organizations: { edges: [{ node: { id: orgId } }] },
    });
    assert.deepEqual((await bob.client.query(ORGANIZATION, { id: orgId })).organization, {
      id: orgId,
      viewerRoles: ["ORG_MEMBER"],
    });
    assert.deepEqual(await listedProjects(bob.client, orgId), [shared]);
    assert.deepEqual(await viewerRoles(bob.client, shared), bobRoles);
    assert.equal(await viewerRoles(bob.client, hidden), null);
    const sharedMembers = await projectRoles(bob.client, shared);
    assert.deepEqual(sorted([...sharedMembers.keys()]), sorted([alice.id, bob.id]));
    assert.deepEqual(sharedMembers.get(alice.id), ["GROUP_OWNER"]);
    assert.deepEqual(sorted(sharedMembers.get(bob.id)!), bobRoles);
    // ...and can do nothing his roles do not allow.
    assert.equal(await bob.client.errorCode(PROJECT_API_KEYS, { id: shared }), "FORBIDDEN");
    assert.equal(
      await bob.client.errorCode(UPDATE_MEMBER_ROLES, {
        input: { projectId: shared, userId: bob.id, roles: ["GROUP_OWNER"] },
      }),
      "FORBIDDEN",
    );
    assert.equal(
      await bob.client.errorCode(CREATE_PROJECT, {
        input: { organizationId: orgId, name: unique("bob") },
      }),
      "FORBIDDEN",
    );
    assert.equal(
      await bob.client.errorCode(UPDATE_SETTINGS, {
        input: { organizationId: orgId, apiAccessListRequired: false },
      }),
      "FORBIDDEN",
    );
    const hiddenAttempt = await bob.client.userErrors(ADD_MEMBER, {
      input: { projectId: hidden, userId: bob.id, roles: ["GROUP_READ_ONLY"] },
    });
    assert.deepEqual(codesAndFields(hiddenAttempt), [["NOT_FOUND", "input.projectId"]]);

    // Carol sees nothing of it: every id reads like one that does not exist.
    assert.deepEqual(await carol.client.query(ORGANIZATIONS), {
      organizations: { edges: [{ node: { id: carolOrg } }] },
    });
    const aliceIds = [orgId, shared, hidden, alice.id, bob.id];
    for (const id of aliceIds) {
      const result = await carol.client.raw(NODE, { id });
      assert.deepEqual(result.data, { node: null });
      assertNotMentioned(result.text, id);
    }
    assert.deepEqual(await carol.client.query(ORGANIZATION, { id: orgId }), { organization: null });
    assert.deepEqual(await carol.client.query(PROJECT, { id: shared }), { project: null });
    await assertReadsAsUnknown(
      carol.client,
      ADD_MEMBER,
      { userId: carol.id, roles: ["GROUP_OWNER"] },
      "projectId",
      shared,
    );
    await assertReadsAsUnknown(
      carol.client,
      CREATE_PROJECT,
      { name: unique("carol") },
      "organizationId",
      orgId,
    );
    await assertReadsAsUnknown(
      carol.client,
      ADD_ORGANIZATION_MEMBER,
      { email: carol.email, roles: ["ORG_OWNER"] },
      "organizationId",
      orgId,
    );
    // Nothing Carol tried changed what Alice's organization holds.
    assert.deepEqual(await listedProjects(alice.client, orgId), sorted([shared, hidden]));
    assert.deepEqual(
      [...(await projectRoles(alice.client, shared)).keys()].sort(),
      sorted([alice.id, bob.id]),
    );
  });
});
