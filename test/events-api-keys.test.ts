import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EventTrail, pick, type ExpectedEvent } from "./support/events";
import {
  Seed,
  unique,
  type KeyFixture,
  type OrganizationFixture,
  type ProjectFixture,
  type UserActor,
} from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const ADDRESS = "127.0.0.1";

const CREATE_KEY = `mutation ($input: CreateOrganizationApiKeyInput!) {
  createOrganizationApiKey(input: $input) { apiKey { id publicKey } privateKey userErrors { code field } } }`;
const UPDATE_KEY = `mutation ($input: UpdateOrganizationApiKeyInput!) {
  updateOrganizationApiKey(input: $input) { apiKey { id } userErrors { code field } } }`;
const DELETE_KEY = `mutation ($input: DeleteOrganizationApiKeyInput!) {
  deleteOrganizationApiKey(input: $input) { deletedApiKeyId userErrors { code field } } }`;
const ADD_ENTRIES = `mutation ($input: AddApiKeyAccessListEntriesInput!) {
  addApiKeyAccessListEntries(input: $input) { apiKey { id } userErrors { code field } } }`;
const REMOVE_ENTRY = `mutation ($input: RemoveApiKeyAccessListEntryInput!) {
  removeApiKeyAccessListEntry(input: $input) { apiKey { id } userErrors { code field } } }`;
const ROTATE = `mutation ($input: RotateApiKeySecretInput!) {
  rotateApiKeySecret(input: $input) { apiKey { id secrets { id } } privateKey userErrors { code field } } }`;
const REVOKE = `mutation ($input: RevokeApiKeySecretInput!) {
  revokeApiKeySecret(input: $input) { apiKey { id } userErrors { code field } } }`;
const CREATE_PROJECT_KEY = `mutation ($input: CreateProjectApiKeyInput!) {
  createProjectApiKey(input: $input) { apiKey { id publicKey } privateKey userErrors { code field } } }`;
const ASSIGN = `mutation ($input: AssignApiKeyToProjectInput!) {
  assignApiKeyToProject(input: $input) { assignment { roles } userErrors { code field } } }`;
const UPDATE_PROJECT_ROLES = `mutation ($input: UpdateProjectApiKeyRolesInput!) {
  updateProjectApiKeyRoles(input: $input) { assignment { roles } userErrors { code field } } }`;
const UNASSIGN = `mutation ($input: UnassignApiKeyFromProjectInput!) {
  unassignApiKeyFromProject(input: $input) { apiKey { id } userErrors { code field } } }`;

describe("events of API key mutations", () => {
  let service: TestService;
  let seed: Seed;
  let owner: UserActor;
  let org: OrganizationFixture;
  let project: ProjectFixture;
  let trail: EventTrail;

  before(async () => {
    service = await startTestService();
    seed = new Seed(service.client);
    owner = await seed.user();
    org = await owner.organization();
    project = await org.project();
    trail = new EventTrail(owner.client, org.id);
  });
  after(() => service.stop());

  const assertRecords = (change: () => Promise<unknown>, expected: ExpectedEvent[]) =>
    trail.assertRecords(change, expected);
  const assertRecordsNothing = (change: () => Promise<unknown>) =>
    trail.assertRecordsNothing(change);

  /** Who the owner is, as every event they cause names them. */
  function byOwner() {
    return { actor: owner.id, actorLabel: owner.email, remoteAddress: ADDRESS };
  }

  describe("createOrganizationApiKey", () => {
    it("records API_KEY_CREATED with the key's roles, then one API_KEY_ACCESS_LIST_ENTRY_ADDED per entry", async () => {
      await trail.mark();
      const { apiKey } = await owner.client.mutate(CREATE_KEY, {
        input: {
          organizationId: org.id,
          description: "ci",
          roles: ["ORG_MEMBER", "ORG_READ_ONLY"],
          accessList: [
            { ipAddress: "203.0.113.7" },
            { cidrBlock: "10.20.0.0/16" },
            { ipAddress: "2001:db8::1" },
          ],
        },
      });
      const about = {
        ...byOwner(),
        organization: org.id,
        project: null,
        targetApiKey: apiKey.id,
        targetPublicKey: apiKey.publicKey,
        targetUser: null,
      };
      const expected: ExpectedEvent[] = [
        {
          type: "API_KEY_CREATED",
          ...about,
          roles: ["ORG_MEMBER", "ORG_READ_ONLY"],
          accessListEntry: null,
        },
        ...["203.0.113.7/32", "10.20.0.0/16", "2001:db8::1/128"].map((entry) => ({
          type: "API_KEY_ACCESS_LIST_ENTRY_ADDED",
          ...about,
          roles: null,
          accessListEntry: entry,
        })),
      ];
      const recorded = await trail.newEvents();
      assert.deepEqual(pick(recorded, expected), expected);
      assert.equal(recorded.length, 4);
      assert.equal(new Set(recorded.map((event) => event.createdAt)).size, 1, "one transaction");
    });

    it("records nothing when the access list is refused (user errors)", async () => {
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(CREATE_KEY, {
          input: {
            organizationId: org.id,
            description: "bad",
            roles: ["ORG_MEMBER"],
            accessList: [{ ipAddress: "203.0.113.7" }, { cidrBlock: "not-a-block" }],
          },
        });
        assert.equal(errors[0].code, "INVALID_ACCESS_LIST_ENTRY");
      });
    });

    it("records nothing when the caller is refused (forbidden)", async () => {
      const member = await org.member(["ORG_MEMBER"]);
      await assertRecordsNothing(async () => {
        const code = await member.client.errorCode(CREATE_KEY, {
          input: { organizationId: org.id, description: "x", roles: ["ORG_MEMBER"] },
        });
        assert.equal(code, "FORBIDDEN");
      });
    });
  });

  describe("updateOrganizationApiKey", () => {
    let key: KeyFixture;
    before(async () => {
      key = await org.apiKey({ roles: ["ORG_MEMBER"], description: "before" });
    });

    it("records one event per changed aspect: description, roles (after), disabled, expiry", async () => {
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const about = { ...byOwner(), targetApiKey: key.id, targetPublicKey: key.publicKey };
      await assertRecords(
        () =>
          owner.client.mutate(UPDATE_KEY, {
            input: {
              apiKeyId: key.id,
              description: "after",
              roles: ["ORG_MEMBER", "ORG_GROUP_CREATOR"],
              enabled: false,
              expiresAt,
            },
          }),
        [
          { type: "API_KEY_DESCRIPTION_CHANGED", ...about, roles: null },
          { type: "API_KEY_ROLES_CHANGED", ...about, roles: ["ORG_MEMBER", "ORG_GROUP_CREATOR"] },
          { type: "API_KEY_DISABLED", ...about },
          { type: "API_KEY_EXPIRY_CHANGED", ...about },
        ],
      );
    });

    it("records API_KEY_ENABLED when a disabled key is enabled again", async () => {
      await assertRecords(
        () => owner.client.mutate(UPDATE_KEY, { input: { apiKeyId: key.id, enabled: true } }),
        [{ type: "API_KEY_ENABLED", targetApiKey: key.id }],
      );
    });

    it("records nothing for aspects given their current value (a no-op update)", async () => {
      await assertRecordsNothing(() =>
        owner.client.mutate(UPDATE_KEY, {
          input: {
            apiKeyId: key.id,
            description: "after",
            roles: ["ORG_GROUP_CREATOR", "ORG_MEMBER"],
            enabled: true,
          },
        }),
      );
    });

    it("records only the aspect that changed when others are given unchanged", async () => {
      await assertRecords(
        () =>
          owner.client.mutate(UPDATE_KEY, {
            input: { apiKeyId: key.id, description: "after", expiresAt: null },
          }),
        [{ type: "API_KEY_EXPIRY_CHANGED", targetApiKey: key.id }],
      );
    });

    it("records nothing for user errors or a caller without the role", async () => {
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(UPDATE_KEY, {
          input: { apiKeyId: key.id, description: "x", expiresAt: "2001-01-01T00:00:00Z" },
        });
        assert.equal(errors[0].code, "INVALID_INPUT");
      });
      const member = await org.member(["ORG_MEMBER"]);
      await assertRecordsNothing(async () => {
        const errors = await member.client.userErrors(UPDATE_KEY, {
          input: { apiKeyId: key.id, description: "x" },
        });
        assert.equal(errors[0].code, "NOT_FOUND");
      });
    });
  });

  describe("deleteOrganizationApiKey", () => {
    it("records API_KEY_DELETED and API_KEY_REMOVED_FROM_GROUP for each project it was in; the labels stay, targetApiKey turns null", async () => {
      const other = await org.project();
      const key = await org.apiKey();
      await project.assign(key, ["GROUP_READ_ONLY"]);
      await other.assign(key, ["GROUP_READ_ONLY"]);
      const recorded = await assertRecords(
        () => owner.client.mutate(DELETE_KEY, { input: { apiKeyId: key.id } }),
        [
          { type: "API_KEY_DELETED", ...byOwner(), project: null, targetApiKey: null },
          { type: "API_KEY_REMOVED_FROM_GROUP", targetApiKey: null },
          { type: "API_KEY_REMOVED_FROM_GROUP", targetApiKey: null },
        ],
      );
      for (const event of recorded) assert.equal(event.targetPublicKey, key.publicKey);
      assert.deepEqual(
        recorded
          .slice(1)
          .map((event) => event.project)
          .sort(),
        [project.id, other.id].sort(),
      );
      // The deleted key's history stays findable by its id.
      const { organization } = await owner.client.query(
        `query ($id: ID!, $key: ID!) { organization(id: $id) {
           events(filter: { apiKeyId: $key }) { totalCount edges { node { type } } } } }`,
        { id: org.id, key: key.id },
      );
      // Created with one entry, assigned twice, then deleted with its two assignments.
      assert.equal(organization.events.totalCount, 7);
      assert.deepEqual(organization.events.edges.map((edge: any) => edge.node.type).slice(0, 3), [
        "API_KEY_REMOVED_FROM_GROUP",
        "API_KEY_REMOVED_FROM_GROUP",
        "API_KEY_DELETED",
      ]);
    });

    it("records nothing when the key is already gone", async () => {
      const key = await org.apiKey();
      await owner.client.mutate(DELETE_KEY, { input: { apiKeyId: key.id } });
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(DELETE_KEY, { input: { apiKeyId: key.id } });
        assert.equal(errors[0].code, "NOT_FOUND");
      });
    });

    it("a key that deletes itself is the actor, named by its public key", async () => {
      const key = await org.apiKey({ roles: ["ORG_OWNER"] });
      await assertRecords(
        () => key.client.mutate(DELETE_KEY, { input: { apiKeyId: key.id } }),
        [
          {
            type: "API_KEY_DELETED",
            actor: null,
            actorLabel: key.publicKey,
            targetPublicKey: key.publicKey,
          },
        ],
      );
    });
  });

  describe("access-list mutations", () => {
    let key: KeyFixture;
    before(async () => {
      key = await org.apiKey();
    });

    it("addApiKeyAccessListEntries records one API_KEY_ACCESS_LIST_ENTRY_ADDED per entry", async () => {
      const about = { ...byOwner(), targetApiKey: key.id, targetPublicKey: key.publicKey };
      await assertRecords(
        () =>
          owner.client.mutate(ADD_ENTRIES, {
            input: {
              apiKeyId: key.id,
              entries: [
                { ipAddress: "198.51.100.4", comment: "office" },
                { cidrBlock: "192.0.2.0/24" },
                { cidrBlock: "2001:db8:1::/48" },
              ],
            },
          }),
        [
          { type: "API_KEY_ACCESS_LIST_ENTRY_ADDED", ...about, accessListEntry: "198.51.100.4/32" },
          { type: "API_KEY_ACCESS_LIST_ENTRY_ADDED", ...about, accessListEntry: "192.0.2.0/24" },
          { type: "API_KEY_ACCESS_LIST_ENTRY_ADDED", ...about, accessListEntry: "2001:db8:1::/48" },
        ],
      );
    });

    it("removeApiKeyAccessListEntry records API_KEY_ACCESS_LIST_ENTRY_DELETED with the entry", async () => {
      await assertRecords(
        () =>
          owner.client.mutate(REMOVE_ENTRY, { input: { apiKeyId: key.id, entry: "192.0.2.0/24" } }),
        [
          {
            type: "API_KEY_ACCESS_LIST_ENTRY_DELETED",
            ...byOwner(),
            targetApiKey: key.id,
            accessListEntry: "192.0.2.0/24",
          },
        ],
      );
    });

    it("records nothing for a duplicate, an unlisted entry, or a caller who may not see the key", async () => {
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(ADD_ENTRIES, {
          input: {
            apiKeyId: key.id,
            entries: [{ ipAddress: "203.0.113.99" }, { ipAddress: "198.51.100.4" }],
          },
        });
        assert.equal(errors[0].code, "DUPLICATE_ACCESS_LIST_ENTRY");
      });
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(REMOVE_ENTRY, {
          input: { apiKeyId: key.id, entry: "192.0.2.0/24" },
        });
        assert.equal(errors[0].code, "NOT_FOUND");
      });
      const outsider = await seed.user();
      await assertRecordsNothing(async () => {
        const errors = await outsider.client.userErrors(ADD_ENTRIES, {
          input: { apiKeyId: key.id, entries: [{ ipAddress: "203.0.113.98" }] },
        });
        assert.equal(errors[0].code, "NOT_FOUND");
      });
    });
  });

  describe("secrets", () => {
    it("rotateApiKeySecret records API_KEY_SECRET_ROTATED, revokeApiKeySecret API_KEY_SECRET_REVOKED", async () => {
      const key = await org.apiKey();
      const about = { ...byOwner(), targetApiKey: key.id, targetPublicKey: key.publicKey };
      let secrets: { id: string }[] = [];
      await assertRecords(async () => {
        const payload = await owner.client.mutate(ROTATE, {
          input: { apiKeyId: key.id, gracePeriodSeconds: 3600 },
        });
        secrets = payload.apiKey.secrets;
      }, [{ type: "API_KEY_SECRET_ROTATED", ...about, roles: null, accessListEntry: null }]);
      await assertRecords(
        () => owner.client.mutate(REVOKE, { input: { apiKeyId: key.id, secretId: secrets[1].id } }),
        [{ type: "API_KEY_SECRET_REVOKED", ...about }],
      );
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(REVOKE, {
          input: { apiKeyId: key.id, secretId: secrets[0].id },
        });
        assert.equal(errors[0].code, "LAST_SECRET");
      });
    });

    it("a rotation by the key itself names the key as the actor", async () => {
      const key = await org.apiKey({ roles: ["ORG_OWNER"] });
      await assertRecords(
        () => key.client.mutate(ROTATE, { input: { apiKeyId: key.id } }),
        [
          {
            type: "API_KEY_SECRET_ROTATED",
            actor: key.id,
            actorLabel: key.publicKey,
            remoteAddress: ADDRESS,
          },
        ],
      );
    });
  });

  describe("project keys", () => {
    it("createProjectApiKey records API_KEY_CREATED, API_KEY_ADDED_TO_GROUP with the project roles, and the access list, all naming the project", async () => {
      const admin = await project.member(["GROUP_USER_ADMIN"]);
      let created = { id: "", publicKey: "" };
      await trail.mark();
      const payload = await admin.client.mutate(CREATE_PROJECT_KEY, {
        input: {
          projectId: project.id,
          description: unique("pk"),
          roles: ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"],
          accessList: [{ cidrBlock: "127.0.0.0/8" }, { ipAddress: "10.9.8.7" }],
        },
      });
      created = payload.apiKey;
      const recorded = await trail.newEvents();
      const about = {
        actor: admin.id,
        actorLabel: admin.email,
        remoteAddress: ADDRESS,
        project: project.id,
        targetApiKey: created.id,
        targetPublicKey: created.publicKey,
      };
      const expected = [
        { type: "API_KEY_CREATED", ...about, roles: ["ORG_MEMBER"] },
        {
          type: "API_KEY_ADDED_TO_GROUP",
          ...about,
          roles: ["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"].sort(),
        },
        { type: "API_KEY_ACCESS_LIST_ENTRY_ADDED", ...about, accessListEntry: "127.0.0.0/8" },
        { type: "API_KEY_ACCESS_LIST_ENTRY_ADDED", ...about, accessListEntry: "10.9.8.7/32" },
      ];
      const comparable = pick(recorded, expected).map((event) =>
        event.roles ? { ...event, roles: [...event.roles].sort() } : event,
      );
      assert.deepEqual(comparable, expected);
    });

    it("assign, updateProjectApiKeyRoles and unassign record ADDED_TO_GROUP, ROLES_CHANGED (roles after) and REMOVED_FROM_GROUP", async () => {
      const key = await org.apiKey();
      const about = {
        ...byOwner(),
        project: project.id,
        targetApiKey: key.id,
        targetPublicKey: key.publicKey,
      };
      await assertRecords(
        () =>
          owner.client.mutate(ASSIGN, {
            input: { projectId: project.id, apiKeyId: key.id, roles: ["GROUP_READ_ONLY"] },
          }),
        [{ type: "API_KEY_ADDED_TO_GROUP", ...about, roles: ["GROUP_READ_ONLY"] }],
      );
      await assertRecords(
        () =>
          owner.client.mutate(UPDATE_PROJECT_ROLES, {
            input: { projectId: project.id, apiKeyId: key.id, roles: ["GROUP_OWNER"] },
          }),
        [{ type: "API_KEY_ROLES_CHANGED", ...about, roles: ["GROUP_OWNER"] }],
      );
      await assertRecordsNothing(() =>
        owner.client.mutate(UPDATE_PROJECT_ROLES, {
          input: { projectId: project.id, apiKeyId: key.id, roles: ["GROUP_OWNER"] },
        }),
      );
      await assertRecords(
        () => owner.client.mutate(UNASSIGN, { input: { projectId: project.id, apiKeyId: key.id } }),
        [{ type: "API_KEY_REMOVED_FROM_GROUP", ...about, roles: null }],
      );
    });

    it("records nothing for a second assignment, an unassigned key, or a project reader", async () => {
      const key = await org.apiKey();
      await project.assign(key, ["GROUP_READ_ONLY"]);
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(ASSIGN, {
          input: { projectId: project.id, apiKeyId: key.id, roles: ["GROUP_READ_ONLY"] },
        });
        assert.equal(errors[0].code, "ALREADY_EXISTS");
      });
      const other = await org.project();
      await assertRecordsNothing(async () => {
        const errors = await owner.client.userErrors(UNASSIGN, {
          input: { projectId: other.id, apiKeyId: key.id },
        });
        assert.equal(errors[0].code, "NOT_FOUND");
      });
      const reader = await project.member(["GROUP_READ_ONLY"]);
      await assertRecordsNothing(async () => {
        const code = await reader.client.errorCode(UPDATE_PROJECT_ROLES, {
          input: { projectId: project.id, apiKeyId: key.id, roles: ["GROUP_OWNER"] },
        });
        assert.equal(code, "FORBIDDEN");
      });
    });
  });
});
