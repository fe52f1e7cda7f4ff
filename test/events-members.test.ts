import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EventTrail, pick, type ExpectedEvent } from "./support/events";
import { Seed, unique, type OrganizationFixture, type UserActor } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const ADDRESS = "127.0.0.1";

const CREATE_ORGANIZATION = `mutation ($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { organization { id } userErrors { code field } } }`;
const UPDATE_SETTINGS = `mutation ($input: UpdateOrganizationSettingsInput!) {
  updateOrganizationSettings(input: $input) { organization { id } userErrors { code field } } }`;
const ADD_ORG_MEMBER = `mutation ($input: AddOrganizationMemberInput!) {
  addOrganizationMember(input: $input) { membership { roles } userErrors { code field } } }`;
const UPDATE_ORG_MEMBER = `mutation ($input: UpdateOrganizationMemberRolesInput!) {
  updateOrganizationMemberRoles(input: $input) { membership { roles } userErrors { code field } } }`;
const REMOVE_ORG_MEMBER = `mutation ($input: RemoveOrganizationMemberInput!) {
  removeOrganizationMember(input: $input) { removedUserId userErrors { code field } } }`;
const CREATE_PROJECT = `mutation ($input: CreateProjectInput!) {
  createProject(input: $input) { project { id } userErrors { code field } } }`;
const ADD_PROJECT_MEMBER = `mutation ($input: AddProjectMemberInput!) {
  addProjectMember(input: $input) { membership { roles } userErrors { code field } } }`;
const UPDATE_PROJECT_MEMBER = `mutation ($input: UpdateProjectMemberRolesInput!) {
  updateProjectMemberRoles(input: $input) { membership { roles } userErrors { code field } } }`;
const REMOVE_PROJECT_MEMBER = `mutation ($input: RemoveProjectMemberInput!) {
  removeProjectMember(input: $input) { removedUserId userErrors { code field } } }`;
const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { token userErrors { code } } }`;
const LOG_OUT = `mutation { logOut { ok } }`;

describe("events of organization, membership and project mutations", () => {
  let service: TestService;
  let seed: Seed;
  let owner: UserActor;
  let org: OrganizationFixture;
  let trail: EventTrail;

  before(async () => {
    service = await startTestService();
    seed = new Seed(service.client);
    owner = await seed.user();
    org = await owner.organization();
    trail = new EventTrail(owner.client, org.id);
  });
  after(() => service.stop());

  const assertRecords = (change: () => Promise<unknown>, expected: ExpectedEvent[]) =>
    trail.assertRecords(change, expected);
  const assertRecordsNothing = (change: () => Promise<unknown>) =>
    trail.assertRecordsNothing(change);

  function byOwner() {
    return { actor: owner.id, actorLabel: owner.email, remoteAddress: ADDRESS };
  }

  describe("createOrganization", () => {
    it("records ORG_MEMBER_ADDED for the creator with ORG_OWNER (there is no organization-created type)", async () => {
      const creator = await seed.user();
      const { organization } = await creator.client.mutate(CREATE_ORGANIZATION, {
        input: { name: unique("org") },
      });
      const events = await new EventTrail(creator.client, organization.id).all();
      const expected = [
        {
          type: "ORG_MEMBER_ADDED",
          actor: creator.id,
          actorLabel: creator.email,
          remoteAddress: ADDRESS,
          organization: organization.id,
          project: null,
          targetUser: creator.id,
          targetApiKey: null,
          targetPublicKey: null,
          roles: ["ORG_OWNER"],
          accessListEntry: null,
        },
      ];
      assert.deepEqual(pick(events, expected), expected);
      assert.equal(events.length, 1);
    });

    it("records nothing for an invalid name", async () => {
      const creator = await seed.user();
      const errors = await creator.client.userErrors(CREATE_ORGANIZATION, { input: { name: "" } });
      assert.equal(errors[0].code, "INVALID_INPUT");
      const { organizations } = await creator.client.query(`{ organizations { totalCount } }`);
      assert.equal(organizations.totalCount, 0);
    });
  });

  describe("updateOrganizationSettings", () => {
    it("records ORG_SETTINGS_CHANGED when a setting changes, nothing when none does", async () => {
      await assertRecords(
        () =>
          owner.client.mutate(UPDATE_SETTINGS, {
            input: {
              organizationId: org.id,
              apiAccessListRequired: false,
              maxApiKeyLifetimeDays: 90,
            },
          }),
        [
          {
            type: "ORG_SETTINGS_CHANGED",
            ...byOwner(),
            project: null,
            targetApiKey: null,
            targetUser: null,
            roles: null,
          },
        ],
      );
      await assertRecordsNothing(() =>
        owner.client.mutate(UPDATE_SETTINGS, {
          input: {
            organizationId: org.id,
            apiAccessListRequired: false,
            maxApiKeyLifetimeDays: 90,
          },
        }),
      );
      await assertRecords(
        () =>
          owner.client.mutate(UPDATE_SETTINGS, {
            input: { organizationId: org.id, maxApiKeyLifetimeDays: null },
          }),
        [{ type: "ORG_SETTINGS_CHANGED" }],
      );
    });

    it("records nothing for an out-of-range value or a caller without ORG_OWNER", async () => {
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(UPDATE_SETTINGS, {
          input: { organizationId: org.id, maxApiKeyLifetimeDays: 0 },
        });
        assert.equal(errors[0].code, "INVALID_INPUT");
      });
      const member = await org.member(["ORG_MEMBER"]);
      await assertRecordsNothing(async () => {
        const code = await member.client.errorCode(UPDATE_SETTINGS, {
          input: { organizationId: org.id, apiAccessListRequired: true },
        });
        assert.equal(code, "FORBIDDEN");
      });
    });
  });

  describe("organization members", () => {
    it("add, update and remove record ORG_MEMBER_ADDED, ORG_MEMBER_ROLES_CHANGED (roles after), ORG_MEMBER_REMOVED plus GROUP_MEMBER_REMOVED for each project left", async () => {
      const user = await seed.user();
      const about = { ...byOwner(), targetUser: user.id, project: null };
      await assertRecords(
        () =>
          owner.client.mutate(ADD_ORG_MEMBER, {
            input: { organizationId: org.id, email: user.email, roles: ["ORG_MEMBER"] },
          }),
        [{ type: "ORG_MEMBER_ADDED", ...about, roles: ["ORG_MEMBER"] }],
      );
      await assertRecords(
        () =>
          owner.client.mutate(UPDATE_ORG_MEMBER, {
            input: { organizationId: org.id, userId: user.id, roles: ["ORG_GROUP_CREATOR"] },
          }),
        [{ type: "ORG_MEMBER_ROLES_CHANGED", ...about, roles: ["ORG_GROUP_CREATOR"] }],
      );
      await assertRecordsNothing(() =>
        owner.client.mutate(UPDATE_ORG_MEMBER, {
          input: { organizationId: org.id, userId: user.id, roles: ["ORG_GROUP_CREATOR"] },
        }),
      );
      const project = await org.project();
      await project.addMember(user, ["GROUP_READ_ONLY"]);
      await assertRecords(
        () =>
          owner.client.mutate(REMOVE_ORG_MEMBER, {
            input: { organizationId: org.id, userId: user.id },
          }),
        [
          { type: "ORG_MEMBER_REMOVED", ...about, roles: null },
          { type: "GROUP_MEMBER_REMOVED", ...about, project: project.id, roles: null },
        ],
      );
    });

    it("records nothing for an unknown email, the last owner, or a non-owner", async () => {
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(ADD_ORG_MEMBER, {
          input: { organizationId: org.id, email: "nobody@example.test", roles: ["ORG_MEMBER"] },
        });
        assert.equal(errors[0].code, "NOT_FOUND");
      });
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(UPDATE_ORG_MEMBER, {
          input: { organizationId: org.id, userId: owner.id, roles: ["ORG_MEMBER"] },
        });
        assert.equal(errors[0].code, "LAST_OWNER");
      });
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(REMOVE_ORG_MEMBER, {
          input: { organizationId: org.id, userId: owner.id },
        });
        assert.equal(errors[0].code, "LAST_OWNER");
      });
      const member = await org.member(["ORG_MEMBER"]);
      const user = await seed.user();
      await assertRecordsNothing(async () => {
        const code = await member.client.errorCode(ADD_ORG_MEMBER, {
          input: { organizationId: org.id, email: user.email, roles: ["ORG_MEMBER"] },
        });
        assert.equal(code, "FORBIDDEN");
      });
    });
  });

  describe("createProject", () => {
    it("records GROUP_CREATED and GROUP_MEMBER_ADDED for a user creator (GROUP_OWNER)", async () => {
      let projectId = "";
      const recorded = await assertRecords(async () => {
        const { project } = await owner.client.mutate(CREATE_PROJECT, {
          input: { organizationId: org.id, name: unique("p") },
        });
        projectId = project.id;
      }, [
        { type: "GROUP_CREATED", ...byOwner(), targetUser: null, roles: null },
        { type: "GROUP_MEMBER_ADDED", ...byOwner(), targetUser: owner.id, roles: ["GROUP_OWNER"] },
      ]);
      for (const event of recorded) assert.equal(event.project, projectId);
    });

    it("records GROUP_CREATED and API_KEY_ADDED_TO_GROUP for an API key creator", async () => {
      const key = await org.apiKey({ roles: ["ORG_GROUP_CREATOR"] });
      const recorded = await assertRecords(
        () =>
          key.client.mutate(CREATE_PROJECT, {
            input: { organizationId: org.id, name: unique("p") },
          }),
        [
          { type: "GROUP_CREATED", actor: key.id, actorLabel: key.publicKey, targetApiKey: null },
          {
            type: "API_KEY_ADDED_TO_GROUP",
            actorLabel: key.publicKey,
            targetApiKey: key.id,
            targetPublicKey: key.publicKey,
            roles: ["GROUP_OWNER"],
          },
        ],
      );
      assert.ok(recorded[0].project);
    });

    it("records nothing for a duplicate name or a caller who may not create projects", async () => {
      const name = unique("p");
      await owner.client.mutate(CREATE_PROJECT, { input: { organizationId: org.id, name } });
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(CREATE_PROJECT, {
          input: { organizationId: org.id, name },
        });
        assert.equal(errors[0].code, "ALREADY_EXISTS");
      });
      const member = await org.member(["ORG_MEMBER"]);
      await assertRecordsNothing(async () => {
        const code = await member.client.errorCode(CREATE_PROJECT, {
          input: { organizationId: org.id, name: unique("p") },
        });
        assert.equal(code, "FORBIDDEN");
      });
    });
  });

  describe("project members", () => {
    it("add, update and remove record GROUP_MEMBER_ADDED, GROUP_MEMBER_ROLES_CHANGED (roles after) and GROUP_MEMBER_REMOVED, naming the project", async () => {
      const project = await org.project();
      const admin = await project.member(["GROUP_USER_ADMIN"]);
      const user = await org.member(["ORG_MEMBER"]);
      const about = {
        actor: admin.id,
        actorLabel: admin.email,
        remoteAddress: ADDRESS,
        project: project.id,
        targetUser: user.id,
      };
      await assertRecords(
        () =>
          admin.client.mutate(ADD_PROJECT_MEMBER, {
            input: { projectId: project.id, userId: user.id, roles: ["GROUP_READ_ONLY"] },
          }),
        [{ type: "GROUP_MEMBER_ADDED", ...about, roles: ["GROUP_READ_ONLY"] }],
      );
      await assertRecords(
        () =>
          admin.client.mutate(UPDATE_PROJECT_MEMBER, {
            input: {
              projectId: project.id,
              userId: user.id,
              roles: ["GROUP_DATA_ACCESS_READ_ONLY"],
            },
          }),
        [{ type: "GROUP_MEMBER_ROLES_CHANGED", ...about, roles: ["GROUP_DATA_ACCESS_READ_ONLY"] }],
      );
      await assertRecordsNothing(() =>
        admin.client.mutate(UPDATE_PROJECT_MEMBER, {
          input: {
            projectId: project.id,
            userId: user.id,
            roles: ["GROUP_DATA_ACCESS_READ_ONLY"],
          },
        }),
      );
      await assertRecords(
        () =>
          admin.client.mutate(REMOVE_PROJECT_MEMBER, {
            input: { projectId: project.id, userId: user.id },
          }),
        [{ type: "GROUP_MEMBER_REMOVED", ...about, roles: null }],
      );
    });

    it("records nothing for an outsider, a second addition, or a project reader", async () => {
      const project = await org.project();
      const outsider = await seed.user();
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(ADD_PROJECT_MEMBER, {
          input: { projectId: project.id, userId: outsider.id, roles: ["GROUP_READ_ONLY"] },
        });
        assert.equal(errors[0].code, "NOT_FOUND");
      });
      const user = await project.member(["GROUP_READ_ONLY"]);
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(ADD_PROJECT_MEMBER, {
          input: { projectId: project.id, userId: user.id, roles: ["GROUP_READ_ONLY"] },
        });
        assert.equal(errors[0].code, "ALREADY_EXISTS");
      });
      await assertRecordsNothing(async () => {
        const code = await user.client.errorCode(REMOVE_PROJECT_MEMBER, {
          input: { projectId: project.id, userId: user.id },
        });
        assert.equal(code, "FORBIDDEN");
      });
    });
  });

  describe("signing up, in and out", () => {
    it("record nothing: they touch no organization", async () => {
      await assertRecordsNothing(async () => {
        const user = await seed.user();
        await owner.client.mutate(ADD_ORG_MEMBER, {
          input: { organizationId: org.id, email: user.email, roles: ["ORG_MEMBER"] },
        });
        await trail.mark();
        const { token } = await service.client.mutate(LOG_IN, {
          input: { email: user.email, password: user.password },
        });
        await service.client.as({ kind: "bearer", token }).mutate(LOG_OUT);
      });
    });
  });
});
