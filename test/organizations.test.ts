import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Client } from "./support/client";
import {
  assertNotMentioned,
  assertReadsAsUnknown,
  codesAndFields,
  outcomeOf,
  payloadOf,
  randomId,
} from "./support/isolation";
import { Seed, unique, type OrganizationFixture, type UserActor } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const USER_ERRORS = `userErrors { code field message }`;
const CREATE_ORGANIZATION = `mutation ($input: CreateOrganizationInput!) {
  createOrganization(input: $input) {
    organization { id name apiAccessListRequired viewerRoles } ${USER_ERRORS} } }`;
const UPDATE_SETTINGS = `mutation ($input: UpdateOrganizationSettingsInput!) {
  updateOrganizationSettings(input: $input) {
    organization { id apiAccessListRequired } ${USER_ERRORS} } }`;
const ADD_MEMBER = `mutation ($input: AddOrganizationMemberInput!) {
  addOrganizationMember(input: $input) {
    membership { roles user { id email } organization { id } } ${USER_ERRORS} } }`;
const UPDATE_MEMBER_ROLES = `mutation ($input: UpdateOrganizationMemberRolesInput!) {
  updateOrganizationMemberRoles(input: $input) {
    membership { roles user { id } organization { id } } ${USER_ERRORS} } }`;
const REMOVE_MEMBER = `mutation ($input: RemoveOrganizationMemberInput!) {
  removeOrganizationMember(input: $input) { removedUserId ${USER_ERRORS} } }`;

const ORGANIZATION = `query ($id: ID!) {
  organization(id: $id) { id name apiAccessListRequired viewerRoles } }`;
const ORGANIZATIONS = `query ($first: Int, $after: String) {
  organizations(first: $first, after: $after) {
    totalCount edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`;
const MEMBERS = `query ($id: ID!, $first: Int, $after: String) {
  organization(id: $id) {
    members(first: $first, after: $after) {
      totalCount edges { cursor node { roles user { id email } organization { id } } }
      pageInfo { hasNextPage endCursor } } } }`;
const ORGANIZATION_PROJECTS = `query ($id: ID!) {
  organization(id: $id) { projects { totalCount edges { node { id } } } } }`;
const PROJECT = `query ($id: ID!) { project(id: $id) { id viewerRoles } }`;
const PROJECT_MEMBERS = `query ($id: ID!) {
  project(id: $id) { members { edges { node { user { id } } } } } }`;
const NODE = `query ($id: ID!) { node(id: $id) { __typename id } }`;
const USER_ORGANIZATIONS = `query ($id: ID!, $first: Int, $after: String) {
  node(id: $id) { ... on User { organizations(first: $first, after: $after) {
    totalCount edges { cursor node { roles organization { id } user { id } } }
    pageInfo { hasNextPage endCursor } } } } }`;

async function membersOf(client: Client, organizationId: string) {
  const data = await client.query(MEMBERS, { id: organizationId, first: 100 });
  return data.organization.members;
}

/** `userId → roles` for every member of the organization, as an owner reads it. */
async function rolesByMember(client: Client, organizationId: string) {
  const members = await membersOf(client, organizationId);
  return new Map<string, string[]>(
    members.edges.map((edge: any) => [edge.node.user.id, edge.node.roles]),
  );
}

describe("organizations and their members", () => {
  let service: TestService;
  let seed: Seed;
  /** A user with an organization of their own: the caller from another organization. */
  let outsider: UserActor;
  let outsiderOrg: OrganizationFixture;

  before(async () => {
    service = await startTestService();
    seed = new Seed(service.client);
    outsider = await seed.user();
    outsiderOrg = await outsider.organization();
  });
  after(() => service.stop());

  async function newOrganization(): Promise<OrganizationFixture> {
    return (await seed.user()).organization();
  }

  describe("createOrganization", () => {
    it("makes the caller its only ORG_OWNER and requires API access lists by default", async () => {
      const user = await seed.user();
      const name = unique("Acme");
      const payload = await user.client.mutate(CREATE_ORGANIZATION, { input: { name } });
      assert.equal(payload.organization.name, name);
      assert.equal(payload.organization.apiAccessListRequired, true);
      assert.deepEqual(payload.organization.viewerRoles, ["ORG_OWNER"]);

      const id = payload.organization.id;
      const read = await user.client.query(ORGANIZATION, { id });
      assert.deepEqual(read.organization, {
        id,
        name,
        apiAccessListRequired: true,
        viewerRoles: ["ORG_OWNER"],
      });
      const members = await membersOf(user.client, id);
      assert.equal(members.totalCount, 1);
      assert.deepEqual(members.edges[0].node, {
        roles: ["ORG_OWNER"],
        user: { id: user.id, email: user.email },
        organization: { id },
      });
      const list = await user.client.query(ORGANIZATIONS);
      assert.deepEqual(
        list.organizations.edges.map((edge: any) => edge.node),
        [{ id, name }],
      );
      assert.deepEqual(await user.client.query(NODE, { id }), {
        node: { __typename: "Organization", id },
      });
    });

    it("trims the name", async () => {
      const user = await seed.user();
      const name = unique("Trimmed");
      const payload = await user.client.mutate(CREATE_ORGANIZATION, {
        input: { name: `  ${name}  ` },
      });
      assert.equal(payload.organization.name, name);
    });

    it("refuses an empty, blank or over-long name with INVALID_INPUT on input.name and creates nothing", async () => {
      const user = await seed.user();
      for (const name of ["", "   ", "x".repeat(101)]) {
        const errors = await user.client.userErrors(CREATE_ORGANIZATION, { input: { name } });
        assert.deepEqual(codesAndFields(errors), [["INVALID_INPUT", "input.name"]], name);
      }
      const list = await user.client.query(ORGANIZATIONS);
      assert.equal(list.organizations.totalCount, 0);
    });

    it("an anonymous caller gets UNAUTHENTICATED", async () => {
      assert.equal(
        await service.client.errorCode(CREATE_ORGANIZATION, { input: { name: unique("anon") } }),
        "UNAUTHENTICATED",
      );
    });

    it("an API key, even an ORG_OWNER key, cannot create an organization (@userOnly): FORBIDDEN", async () => {
      const org = await newOrganization();
      const key = await org.apiKey({ roles: ["ORG_OWNER"] });
      assert.equal(
        await key.client.errorCode(CREATE_ORGANIZATION, { input: { name: unique("by-key") } }),
        "FORBIDDEN",
      );
      const list = await key.client.query(ORGANIZATIONS);
      assert.deepEqual(
        list.organizations.edges.map((edge: any) => edge.node.id),
        [org.id],
      );
    });
  });

  describe("updateOrganizationSettings", () => {
    it("an ORG_OWNER turns apiAccessListRequired off and on again; reads show the new value", async () => {
      const org = await newOrganization();
      const off = await org.client.mutate(UPDATE_SETTINGS, {
        input: { organizationId: org.id, apiAccessListRequired: false },
      });
      assert.deepEqual(off.organization, { id: org.id, apiAccessListRequired: false });
      let read = await org.client.query(ORGANIZATION, { id: org.id });
      assert.equal(read.organization.apiAccessListRequired, false);

      await org.client.mutate(UPDATE_SETTINGS, {
        input: { organizationId: org.id, apiAccessListRequired: true },
      });
      read = await org.client.query(ORGANIZATION, { id: org.id });
      assert.equal(read.organization.apiAccessListRequired, true);
    });

    it("leaves a setting that is omitted or null as it was", async () => {
      const org = await newOrganization();
      await org.setAccessListRequired(false);
      for (const input of [
        { organizationId: org.id },
        { organizationId: org.id, apiAccessListRequired: null },
      ]) {
        const payload = await org.client.mutate(UPDATE_SETTINGS, { input });
        assert.equal(payload.organization.apiAccessListRequired, false);
      }
    });

    it("an unknown, malformed or mistyped organization id is NOT_FOUND on input.organizationId", async () => {
      const org = await newOrganization();
      const project = await org.project();
      for (const organizationId of [randomId("Organization"), "not-an-id", project.id]) {
        const errors = await org.client.userErrors(UPDATE_SETTINGS, {
          input: { organizationId, apiAccessListRequired: false },
        });
        assert.deepEqual(codesAndFields(errors), [["NOT_FOUND", "input.organizationId"]]);
      }
    });

    it("a member without ORG_OWNER gets FORBIDDEN and the setting stays", async () => {
      const org = await newOrganization();
      for (const roles of [
        ["ORG_MEMBER"],
        ["ORG_READ_ONLY"],
        ["ORG_GROUP_CREATOR", "ORG_BILLING_ADMIN"],
      ]) {
        const member = await org.member(roles);
        assert.equal(
          await member.client.errorCode(UPDATE_SETTINGS, {
            input: { organizationId: org.id, apiAccessListRequired: false },
          }),
          "FORBIDDEN",
          roles.join(),
        );
      }
      const read = await org.client.query(ORGANIZATION, { id: org.id });
      assert.equal(read.organization.apiAccessListRequired, true);
    });

    it("another organization's id reads exactly like an unknown one, and the setting stays", async () => {
      const org = await newOrganization();
      await assertReadsAsUnknown(
        outsider.client,
        UPDATE_SETTINGS,
        { apiAccessListRequired: false },
        "organizationId",
        org.id,
      );
      const read = await org.client.query(ORGANIZATION, { id: org.id });
      assert.equal(read.organization.apiAccessListRequired, true);
    });

    it("an anonymous caller gets UNAUTHENTICATED", async () => {
      const org = await newOrganization();
      assert.equal(
        await service.client.errorCode(UPDATE_SETTINGS, {
          input: { organizationId: org.id, apiAccessListRequired: false },
        }),
        "UNAUTHENTICATED",
      );
    });
  });

  describe("addOrganizationMember", () => {
    it("adds a signed-up user by email, in any case, with the given roles; both sides see it", async () => {
      const org = await newOrganization();
      const user = await seed.user();
      const payload = await org.client.mutate(ADD_MEMBER, {
        input: {
          organizationId: org.id,
          email: user.email.toUpperCase(),
          roles: ["ORG_READ_ONLY", "ORG_MEMBER", "ORG_MEMBER"],
        },
      });
      assert.deepEqual(payload.membership.user, { id: user.id, email: user.email });
      assert.deepEqual(payload.membership.organization, { id: org.id });
      assert.deepEqual([...payload.membership.roles].sort(), ["ORG_MEMBER", "ORG_READ_ONLY"]);

      const roles = await rolesByMember(org.client, org.id);
      assert.deepEqual([...roles.keys()].sort(), [org.owner.id, user.id].sort());
      assert.deepEqual([...roles.get(user.id)!].sort(), ["ORG_MEMBER", "ORG_READ_ONLY"]);

      const seen = await user.client.query(ORGANIZATION, { id: org.id });
      assert.deepEqual([...seen.organization.viewerRoles].sort(), ["ORG_MEMBER", "ORG_READ_ONLY"]);
      const list = await user.client.query(ORGANIZATIONS);
      assert.deepEqual(
        list.organizations.edges.map((edge: any) => edge.node.id),
        [org.id],
      );
    });

    it("an email nobody signed up with is NOT_FOUND on input.email", async () => {
      const org = await newOrganization();
      const errors = await org.client.userErrors(ADD_MEMBER, {
        input: {
          organizationId: org.id,
          email: `${unique("nobody")}@example.test`,
          roles: ["ORG_MEMBER"],
        },
      });
      assert.deepEqual(codesAndFields(errors), [["NOT_FOUND", "input.email"]]);
    });

    it("an existing member is ALREADY_EXISTS on input.email and keeps their roles", async () => {
      const org = await newOrganization();
      const member = await org.member(["ORG_MEMBER"]);
      const errors = await org.client.userErrors(ADD_MEMBER, {
        input: { organizationId: org.id, email: member.email, roles: ["ORG_READ_ONLY"] },
      });
      assert.deepEqual(codesAndFields(errors), [["ALREADY_EXISTS", "input.email"]]);
      assert.deepEqual((await rolesByMember(org.client, org.id)).get(member.id), ["ORG_MEMBER"]);
    });

    it("adding the same user twice at once: the database lets exactly one through", async () => {
      const org = await newOrganization();
      const user = await seed.user();
      const input = { organizationId: org.id, email: user.email, roles: ["ORG_MEMBER"] };
      const results = await Promise.all([
        org.client.raw(ADD_MEMBER, { input }),
        org.client.raw(ADD_MEMBER, { input }),
      ]);
      assert.deepEqual(results.map(outcomeOf).sort(), ["ALREADY_EXISTS", "ok"]);
      assert.equal((await membersOf(org.client, org.id)).totalCount, 2);
    });

    it("reports a malformed email and an empty role list as INVALID_INPUT on each field, adding nobody", async () => {
      const org = await newOrganization();
      const errors = await org.client.userErrors(ADD_MEMBER, {
        input: { organizationId: org.id, email: "not-an-email", roles: [] },
      });
      assert.deepEqual(codesAndFields(errors), [
        ["INVALID_INPUT", "input.email"],
        ["INVALID_INPUT", "input.roles"],
      ]);
      assert.ok(!JSON.stringify(errors).includes("not-an-email"));
      assert.equal((await membersOf(org.client, org.id)).totalCount, 1);
    });

    it("a member without ORG_OWNER gets FORBIDDEN, even to add an ORG_MEMBER", async () => {
      const org = await newOrganization();
      const user = await seed.user();
      for (const roles of [["ORG_MEMBER"], ["ORG_READ_ONLY"], ["ORG_GROUP_CREATOR"]]) {
        const member = await org.member(roles);
        assert.equal(
          await member.client.errorCode(ADD_MEMBER, {
            input: { organizationId: org.id, email: user.email, roles: ["ORG_MEMBER"] },
          }),
          "FORBIDDEN",
          roles.join(),
        );
      }
      assert.ok(!(await rolesByMember(org.client, org.id)).has(user.id));
    });

    it("another organization's id reads exactly like an unknown one: an outsider cannot add themself", async () => {
      const org = await newOrganization();
      await assertReadsAsUnknown(
        outsider.client,
        ADD_MEMBER,
        { email: outsider.email, roles: ["ORG_OWNER"] },
        "organizationId",
        org.id,
      );
      assert.equal(
        await outsider.client.query(ORGANIZATION, { id: org.id }).then((d) => d.organization),
        null,
      );
      assert.ok(!(await rolesByMember(org.client, org.id)).has(outsider.id));
    });

    it("an anonymous caller gets UNAUTHENTICATED", async () => {
      const org = await newOrganization();
      assert.equal(
        await service.client.errorCode(ADD_MEMBER, {
          input: { organizationId: org.id, email: outsider.email, roles: ["ORG_MEMBER"] },
        }),
        "UNAUTHENTICATED",
      );
    });
  });

  describe("updateOrganizationMemberRoles", () => {
    it("replaces a member's roles; the member list and the member's viewerRoles show the new ones", async () => {
      const org = await newOrganization();
      const member = await org.member(["ORG_MEMBER"]);
      const payload = await org.client.mutate(UPDATE_MEMBER_ROLES, {
        input: { organizationId: org.id, userId: member.id, roles: ["ORG_GROUP_CREATOR"] },
      });
      assert.deepEqual(payload.membership, {
        roles: ["ORG_GROUP_CREATOR"],
        user: { id: member.id },
        organization: { id: org.id },
      });
      assert.deepEqual((await rolesByMember(org.client, org.id)).get(member.id), [
        "ORG_GROUP_CREATOR",
      ]);
      const seen = await member.client.query(ORGANIZATION, { id: org.id });
      assert.deepEqual(seen.organization.viewerRoles, ["ORG_GROUP_CREATOR"]);
    });

    it("promotes a member to ORG_OWNER, who can then act as one", async () => {
      const org = await newOrganization();
      const member = await org.member(["ORG_MEMBER"]);
      await org.client.mutate(UPDATE_MEMBER_ROLES, {
        input: { organizationId: org.id, userId: member.id, roles: ["ORG_OWNER"] },
      });
      const payload = await member.client.mutate(UPDATE_SETTINGS, {
        input: { organizationId: org.id, apiAccessListRequired: false },
      });
      assert.equal(payload.organization.apiAccessListRequired, false);
    });

    it("the last ORG_OWNER cannot be demoted: LAST_OWNER on input.roles, roles unchanged", async () => {
      const org = await newOrganization();
      await org.member(["ORG_MEMBER"]);
      const errors = await org.client.userErrors(UPDATE_MEMBER_ROLES, {
        input: { organizationId: org.id, userId: org.owner.id, roles: ["ORG_MEMBER"] },
      });
      assert.deepEqual(codesAndFields(errors), [["LAST_OWNER", "input.roles"]]);
      assert.deepEqual((await rolesByMember(org.client, org.id)).get(org.owner.id), ["ORG_OWNER"]);
    });

    it("an ORG_OWNER can be demoted once another owner exists, and then loses the owner's powers", async () => {
      const org = await newOrganization();
      const second = await org.member(["ORG_OWNER"]);
      await second.client.mutate(UPDATE_MEMBER_ROLES, {
        input: { organizationId: org.id, userId: org.owner.id, roles: ["ORG_MEMBER"] },
      });
      const roles = await rolesByMember(second.client, org.id);
      assert.deepEqual(roles.get(org.owner.id), ["ORG_MEMBER"]);
      assert.deepEqual(roles.get(second.id), ["ORG_OWNER"]);
      assert.equal(
        await org.client.errorCode(UPDATE_SETTINGS, {
          input: { organizationId: org.id, apiAccessListRequired: false },
        }),
        "FORBIDDEN",
      );
      // Now `second` is the last owner in turn.
      const errors = await second.client.userErrors(UPDATE_MEMBER_ROLES, {
        input: { organizationId: org.id, userId: second.id, roles: ["ORG_READ_ONLY"] },
      });
      assert.deepEqual(codesAndFields(errors), [["LAST_OWNER", "input.roles"]]);
    });

    it("two owners demoting each other at once: exactly one succeeds, and one owner remains", async () => {
      const org = await newOrganization();
      const second = await org.member(["ORG_OWNER"]);
      const results = await Promise.all([
        org.client.raw(UPDATE_MEMBER_ROLES, {
          input: { organizationId: org.id, userId: second.id, roles: ["ORG_MEMBER"] },
        }),
        second.client.raw(UPDATE_MEMBER_ROLES, {
          input: { organizationId: org.id, userId: org.owner.id, roles: ["ORG_MEMBER"] },
        }),
      ]);
      // The loser is refused by the last-owner rule, or, when its own demotion committed before
      // its request was authorized, as a member without ORG_OWNER.
      const [loser, winner] = results.map(outcomeOf).sort();
      assert.equal(winner, "ok");
      assert.ok(["LAST_OWNER", "FORBIDDEN"].includes(loser), loser);
      const owners = [...(await rolesByMember(org.client, org.id)).values()].filter((roles) =>
        roles.includes("ORG_OWNER"),
      );
      assert.equal(owners.length, 1);
    });

    it("a user who is not a member, or an unknown or malformed id, is NOT_FOUND on input.userId", async () => {
      const org = await newOrganization();
      const stranger = await seed.user();
      for (const userId of [stranger.id, randomId("User"), "not-an-id", org.id]) {
        const errors = await org.client.userErrors(UPDATE_MEMBER_ROLES, {
          input: { organizationId: org.id, userId, roles: ["ORG_MEMBER"] },
        });
        assert.deepEqual(codesAndFields(errors), [["NOT_FOUND", "input.userId"]]);
      }
    });

    it("an empty role list is INVALID_INPUT on input.roles", async () => {
      const org = await newOrganization();
      const member = await org.member(["ORG_MEMBER"]);
      const errors = await org.client.userErrors(UPDATE_MEMBER_ROLES, {
        input: { organizationId: org.id, userId: member.id, roles: [] },
      });
      assert.deepEqual(codesAndFields(errors), [["INVALID_INPUT", "input.roles"]]);
    });

    it("a member without ORG_OWNER gets FORBIDDEN, even for their own roles", async () => {
      const org = await newOrganization();
      const member = await org.member(["ORG_MEMBER"]);
      for (const userId of [member.id, org.owner.id]) {
        assert.equal(
          await member.client.errorCode(UPDATE_MEMBER_ROLES, {
            input: { organizationId: org.id, userId, roles: ["ORG_OWNER"] },
          }),
          "FORBIDDEN",
        );
      }
      assert.deepEqual((await rolesByMember(org.client, org.id)).get(member.id), ["ORG_MEMBER"]);
    });

    it("another organization's id, and a member of another organization, read exactly like unknown ids", async () => {
      const org = await newOrganization();
      const member = await org.member(["ORG_MEMBER"]);
      await assertReadsAsUnknown(
        outsider.client,
        UPDATE_MEMBER_ROLES,
        { userId: member.id, roles: ["ORG_READ_ONLY"] },
        "organizationId",
        org.id,
      );
      // The owner of `org` names a member of the outsider's organization.
      await assertReadsAsUnknown(
        org.client,
        UPDATE_MEMBER_ROLES,
        { organizationId: org.id, roles: ["ORG_MEMBER"] },
        "userId",
        outsider.id,
      );
      assert.deepEqual((await rolesByMember(org.client, org.id)).get(member.id), ["ORG_MEMBER"]);
      assert.deepEqual((await rolesByMember(outsider.client, outsiderOrg.id)).get(outsider.id), [
        "ORG_OWNER",
      ]);
    });

    it("an anonymous caller gets UNAUTHENTICATED", async () => {
      const org = await newOrganization();
      assert.equal(
        await service.client.errorCode(UPDATE_MEMBER_ROLES, {
          input: { organizationId: org.id, userId: org.owner.id, roles: ["ORG_MEMBER"] },
        }),
        "UNAUTHENTICATED",
      );
    });
  });

  describe("removeOrganizationMember", () => {
    it("removes the member and their project roles: they no longer see the organization or its projects", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const member = await project.member(["GROUP_READ_ONLY"]);
      assert.ok((await member.client.query(PROJECT, { id: project.id })).project);

      const payload = await org.client.mutate(REMOVE_MEMBER, {
        input: { organizationId: org.id, userId: member.id },
      });
      assert.equal(payload.removedUserId, member.id);

      assert.ok(!(await rolesByMember(org.client, org.id)).has(member.id));
      const projectMembers = await org.client.query(PROJECT_MEMBERS, { id: project.id });
      assert.deepEqual(
        projectMembers.project.members.edges.map((edge: any) => edge.node.user.id),
        [org.owner.id],
      );
      assert.deepEqual(await member.client.query(ORGANIZATION, { id: org.id }), {
        organization: null,
      });
      assert.deepEqual(await member.client.query(PROJECT, { id: project.id }), { project: null });
      assert.equal((await member.client.query(ORGANIZATIONS)).organizations.totalCount, 0);

      // Back in the organization, they do not get their old project role back.
      await org.addMember(member, ["ORG_MEMBER"]);
      assert.deepEqual(await member.client.query(PROJECT, { id: project.id }), { project: null });
      const seen = await member.client.query(ORGANIZATION_PROJECTS, { id: org.id });
      assert.equal(seen.organization.projects.totalCount, 0);
    });

    it("the last ORG_OWNER cannot be removed: LAST_OWNER on input.userId, still a member", async () => {
      const org = await newOrganization();
      await org.member(["ORG_MEMBER"]);
      const errors = await org.client.userErrors(REMOVE_MEMBER, {
        input: { organizationId: org.id, userId: org.owner.id },
      });
      assert.deepEqual(codesAndFields(errors), [["LAST_OWNER", "input.userId"]]);
      assert.deepEqual((await rolesByMember(org.client, org.id)).get(org.owner.id), ["ORG_OWNER"]);
    });

    it("an ORG_OWNER can be removed once another owner exists", async () => {
      const org = await newOrganization();
      const second = await org.member(["ORG_OWNER"]);
      const payload = await org.client.mutate(REMOVE_MEMBER, {
        input: { organizationId: org.id, userId: org.owner.id },
      });
      assert.equal(payload.removedUserId, org.owner.id);
      assert.deepEqual(await org.client.query(ORGANIZATION, { id: org.id }), {
        organization: null,
      });
      assert.deepEqual([...(await rolesByMember(second.client, org.id)).keys()], [second.id]);
    });

    it("two owners removing each other at once: exactly one succeeds, and one owner remains", async () => {
      const org = await newOrganization();
      const second = await org.member(["ORG_OWNER"]);
      const results = await Promise.all([
        org.client.raw(REMOVE_MEMBER, { input: { organizationId: org.id, userId: second.id } }),
        second.client.raw(REMOVE_MEMBER, {
          input: { organizationId: org.id, userId: org.owner.id },
        }),
      ]);
      // The loser is refused by the last-owner rule, or, when its own removal committed before
      // its request was authorized, finds the organization gone (NOT_FOUND).
      const [loser, winner] = results.map(outcomeOf).sort();
      assert.equal(winner, "ok");
      assert.ok(["LAST_OWNER", "NOT_FOUND"].includes(loser), loser);
      const survivor = payloadOf(results[0]).removedUserId ? org.owner : second;
      const roles = await rolesByMember(survivor.client, org.id);
      assert.deepEqual([...roles.entries()], [[survivor.id, ["ORG_OWNER"]]]);
    });

    it("a user who is not a member, or an unknown or malformed id, is NOT_FOUND on input.userId", async () => {
      const org = await newOrganization();
      const stranger = await seed.user();
      for (const userId of [stranger.id, randomId("User"), "not-an-id"]) {
        const errors = await org.client.userErrors(REMOVE_MEMBER, {
          input: { organizationId: org.id, userId },
        });
        assert.deepEqual(codesAndFields(errors), [["NOT_FOUND", "input.userId"]]);
      }
    });

    it("a member without ORG_OWNER gets FORBIDDEN, and the member stays", async () => {
      const org = await newOrganization();
      const member = await org.member(["ORG_MEMBER", "ORG_READ_ONLY"]);
      const other = await org.member(["ORG_MEMBER"]);
      assert.equal(
        await member.client.errorCode(REMOVE_MEMBER, {
          input: { organizationId: org.id, userId: other.id },
        }),
        "FORBIDDEN",
      );
      assert.ok((await rolesByMember(org.client, org.id)).has(other.id));
    });

    it("another organization's id, and a member of another organization, read exactly like unknown ids", async () => {
      const org = await newOrganization();
      const member = await org.member(["ORG_MEMBER"]);
      await assertReadsAsUnknown(
        outsider.client,
        REMOVE_MEMBER,
        { userId: member.id },
        "organizationId",
        org.id,
      );
      await assertReadsAsUnknown(
        org.client,
        REMOVE_MEMBER,
        { organizationId: org.id },
        "userId",
        outsider.id,
      );
      assert.ok((await rolesByMember(org.client, org.id)).has(member.id));
      assert.ok((await rolesByMember(outsider.client, outsiderOrg.id)).has(outsider.id));
    });

    it("an anonymous caller gets UNAUTHENTICATED", async () => {
      const org = await newOrganization();
      assert.equal(
        await service.client.errorCode(REMOVE_MEMBER, {
          input: { organizationId: org.id, userId: org.owner.id },
        }),
        "UNAUTHENTICATED",
      );
    });
  });

  describe("organization(id), organizations and node(id)", () => {
    it("a member reads the organization with their own roles in viewerRoles", async () => {
      const org = await newOrganization();
      const readOnly = await org.member(["ORG_READ_ONLY"]);
      const billing = await org.member(["ORG_BILLING_ADMIN", "ORG_MEMBER"]);
      for (const [actor, roles] of [
        [org.owner, ["ORG_OWNER"]],
        [readOnly, ["ORG_READ_ONLY"]],
        [billing, ["ORG_MEMBER", "ORG_BILLING_ADMIN"]],
      ] as const) {
        const data = await actor.client.query(ORGANIZATION, { id: org.id });
        assert.equal(data.organization.id, org.id);
        assert.equal(data.organization.name, org.name);
        assert.deepEqual([...data.organization.viewerRoles].sort(), [...roles].sort());
        assert.deepEqual(await actor.client.query(NODE, { id: org.id }), {
          node: { __typename: "Organization", id: org.id },
        });
      }
    });

    it("an outsider, an anonymous caller, an unknown id and a mistyped id all get null", async () => {
      const org = await newOrganization();
      const project = await org.project();
      const cases: [Client, string][] = [
        [outsider.client, org.id],
        [service.client, org.id],
        [org.client, randomId("Organization")],
        [org.client, project.id],
        [org.client, "not-an-id"],
      ];
      for (const [client, id] of cases) {
        const result = await client.raw(ORGANIZATION, { id });
        assert.equal(result.errors, undefined, result.text);
        assert.deepEqual(result.data, { organization: null });
      }
      const foreign = await outsider.client.raw(NODE, { id: org.id });
      const unknown = await outsider.client.raw(NODE, { id: randomId("Organization") });
      assert.deepEqual(foreign.data, { node: null });
      assert.equal(foreign.text, unknown.text);
      assertNotMentioned(foreign.text, org.id);
    });

    it("organizations lists exactly the caller's own organizations", async () => {
      const user = await seed.user();
      const own = await user.organization();
      const other = await newOrganization();
      await other.addMember(user, ["ORG_READ_ONLY"]);
      await newOrganization(); // Not the user's.
      const data = await user.client.query(ORGANIZATIONS);
      assert.equal(data.organizations.totalCount, 2);
      assert.deepEqual(
        data.organizations.edges.map((edge: any) => edge.node.id).sort(),
        [own.id, other.id].sort(),
      );
      const outsiders = await outsider.client.query(ORGANIZATIONS);
      assert.deepEqual(
        outsiders.organizations.edges.map((edge: any) => edge.node.id),
        [outsiderOrg.id],
      );
    });

    it("an anonymous caller's organizations is empty", async () => {
      const data = await service.client.query(ORGANIZATIONS);
      assert.equal(data.organizations.totalCount, 0);
      assert.deepEqual(data.organizations.edges, []);
    });
  });

  describe("Organization.members and Organization.projects", () => {
    it("every member reads the member list with each member's roles", async () => {
      const org = await newOrganization();
      const member = await org.member(["ORG_MEMBER"]);
      const readOnly = await org.member(["ORG_READ_ONLY"]);
      const expected = new Map([
        [org.owner.id, ["ORG_OWNER"]],
        [member.id, ["ORG_MEMBER"]],
        [readOnly.id, ["ORG_READ_ONLY"]],
      ]);
      for (const actor of [org.owner, member, readOnly]) {
        const members = await membersOf(actor.client, org.id);
        assert.equal(members.totalCount, 3);
        assert.deepEqual(await rolesByMember(actor.client, org.id), expected);
      }
    });

    it("an ORG_OWNER sees every project; a plain ORG_MEMBER only those they hold a role in", async () => {
      const org = await newOrganization();
      const mine = await org.project();
      await org.project();
      const member = await mine.member(["GROUP_READ_ONLY"]);
      const ids = async (client: Client) => {
        const data = await client.query(ORGANIZATION_PROJECTS, { id: org.id });
        return {
          totalCount: data.organization.projects.totalCount,
          ids: data.organization.projects.edges.map((edge: any) => edge.node.id),
        };
      };
      assert.equal((await ids(org.client)).totalCount, 2);
      assert.deepEqual(await ids(member.client), { totalCount: 1, ids: [mine.id] });
    });
  });

  describe("connections", () => {
    it("first defaults to 20; pages with `after` visit every organization exactly once", async () => {
      const user = await seed.user();
      const created: string[] = [];
      for (let i = 0; i < 23; i++) created.push((await user.organization()).id);

      const firstPage = await user.client.query(ORGANIZATIONS);
      assert.equal(firstPage.organizations.edges.length, 20);
      assert.equal(firstPage.organizations.totalCount, 23);
      assert.equal(firstPage.organizations.pageInfo.hasNextPage, true);

      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const data: any = await user.client.query(ORGANIZATIONS, { first: 5, after });
        const page = data.organizations;
        assert.equal(page.totalCount, 23);
        assert.ok(page.edges.length <= 5);
        seen.push(...page.edges.map((edge: any) => edge.node.id));
        if (!page.pageInfo.hasNextPage) break;
        assert.equal(page.pageInfo.endCursor, page.edges.at(-1).cursor);
        after = page.pageInfo.endCursor;
      }
      assert.equal(seen.length, 23);
      assert.deepEqual([...seen].sort(), [...created].sort());
      // The default page is the start of the same order.
      assert.deepEqual(
        firstPage.organizations.edges.map((edge: any) => edge.node.id),
        seen.slice(0, 20),
      );
    });

    it("pages through members with `after`, each exactly once", async () => {
      const org = await newOrganization();
      const members = [org.owner.id];
      for (let i = 0; i < 4; i++) members.push((await org.member(["ORG_MEMBER"])).id);
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const data: any = await org.client.query(MEMBERS, { id: org.id, first: 2, after });
        const page = data.organization.members;
        assert.equal(page.totalCount, 5);
        seen.push(...page.edges.map((edge: any) => edge.node.user.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      assert.deepEqual([...seen].sort(), [...members].sort());
    });

    it("first outside 1..100 and a cursor the server did not issue are BAD_USER_INPUT errors", async () => {
      const org = await newOrganization();
      for (const variables of [{ first: 0 }, { first: -1 }, { first: 101 }, { after: "nope" }]) {
        assert.equal(
          await org.client.errorCode(ORGANIZATIONS, variables),
          "BAD_USER_INPUT",
          JSON.stringify(variables),
        );
        assert.equal(
          await org.client.errorCode(MEMBERS, { id: org.id, ...variables }),
          "BAD_USER_INPUT",
          JSON.stringify(variables),
        );
      }
      const full = await org.client.query(ORGANIZATIONS, { first: 100 });
      assert.equal(full.organizations.edges.length, 1);
    });
  });

  describe("User.organizations and node(id) for users", () => {
    it("a user reads all of their own organizations with their roles", async () => {
      const user = await seed.user();
      const own = await user.organization();
      const other = await newOrganization();
      await other.addMember(user, ["ORG_MEMBER"]);
      const data = await user.client.query(USER_ORGANIZATIONS, { id: user.id });
      const memberships = data.node.organizations;
      assert.equal(memberships.totalCount, 2);
      const byOrganization = new Map(
        memberships.edges.map((edge: any) => [edge.node.organization.id, edge.node.roles]),
      );
      assert.deepEqual(
        byOrganization,
        new Map([
          [own.id, ["ORG_OWNER"]],
          [other.id, ["ORG_MEMBER"]],
        ]),
      );
      for (const edge of memberships.edges) assert.equal(edge.node.user.id, user.id);
    });

    it("another member sees only the organizations they share with the user", async () => {
      const user = await seed.user();
      await user.organization(); // Private to the user.
      const shared = await newOrganization();
      await shared.addMember(user, ["ORG_MEMBER"]);
      const colleague = await shared.member(["ORG_MEMBER"]);
      const data = await colleague.client.query(USER_ORGANIZATIONS, { id: user.id });
      assert.equal(data.node.organizations.totalCount, 1);
      assert.deepEqual(
        data.node.organizations.edges.map((edge: any) => edge.node.organization.id),
        [shared.id],
      );
    });

    it("node(id) finds a user for themself and members of a shared organization", async () => {
      const org = await newOrganization();
      const member = await org.member(["ORG_MEMBER"]);
      for (const [actor, id] of [
        [member, member.id],
        [member, org.owner.id],
        [org.owner, member.id],
      ] as const) {
        assert.deepEqual(await actor.client.query(NODE, { id }), {
          node: { __typename: "User", id },
        });
      }
    });

    it("a user outside the caller's organizations reads exactly like an unknown id: null", async () => {
      const org = await newOrganization();
      const member = await org.member(["ORG_MEMBER"]);
      const foreign = await outsider.client.raw(USER_ORGANIZATIONS, { id: member.id });
      const unknown = await outsider.client.raw(USER_ORGANIZATIONS, { id: randomId("User") });
      assert.deepEqual(foreign.data, { node: null });
      assert.equal(foreign.text, unknown.text);
      assertNotMentioned(foreign.text, member.id);
      assert.deepEqual((await service.client.query(NODE, { id: member.id })).node, null);
    });

    it("a removed member is no longer visible to the organization", async () => {
      const org = await newOrganization();
      const member = await org.member(["ORG_MEMBER"]);
      await org.client.mutate(REMOVE_MEMBER, {
        input: { organizationId: org.id, userId: member.id },
      });
      assert.deepEqual(await org.client.query(NODE, { id: member.id }), { node: null });
    });
  });
});
