import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  buildSchema,
  getNamedType,
  getOperationAST,
  isObjectType,
  parse,
  print,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";
import type { Client } from "./support/client";
import { contractNext } from "./support/contract";
import { registerSecret } from "./support/leaks";
import {
  Seed,
  unique,
  type KeyFixture,
  type OrganizationFixture,
  type UserActor,
} from "./support/seed";
import { startTestService, type TestService } from "./support/service";

/**
 * examples/: one .graphql file per operation of the contract, for people to copy. Every file must
 * validate against the service's schema.graphql, every Query and Mutation field of the contract
 * must have one, every file runs cleanly against the service, and examples/README.md sends
 * exactly the operation of each file.
 */
const ROOT = path.join(__dirname, "..", "..");
const EXAMPLES = path.join(ROOT, "examples");

interface Example {
  /** Path under examples/ without the extension, e.g. "mutations/createProject". */
  name: string;
  text: string;
  document: DocumentNode;
}

function graphqlFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const full = path.join(directory, entry);
    if (statSync(full).isDirectory()) return graphqlFiles(full);
    return entry.endsWith(".graphql") ? [full] : [];
  });
}

function loadExamples(): Map<string, Example> {
  const examples = new Map<string, Example>();
  for (const file of graphqlFiles(EXAMPLES).sort()) {
    const name = path
      .relative(EXAMPLES, file)
      .replace(/\.graphql$/, "")
      .split(path.sep)
      .join("/");
    const text = readFileSync(file, "utf8");
    examples.set(name, { name, text, document: parse(text) });
  }
  return examples;
}

const examples = loadExamples();

/** The root fields an example selects, as "Query.viewer" or "Mutation.createProject". */
function rootFields(example: Example): string[] {
  const operation = getOperationAST(example.document);
  assert.ok(operation, `${example.name}: one operation`);
  const type = operation.operation === "query" ? "Query" : "Mutation";
  return operation.selectionSet.selections.flatMap((selection) =>
    selection.kind === "Field" ? [`${type}.${selection.name.value}`] : [],
  );
}

describe("examples/: the files", () => {
  let schema: GraphQLSchema;
  before(() => {
    schema = buildSchema(readFileSync(path.join(ROOT, "schema.graphql"), "utf8"));
  });

  for (const example of examples.values()) {
    it(`${example.name}.graphql is one named operation, valid against schema.graphql`, () => {
      assert.deepEqual(validate(schema, example.document), []);
      assert.equal(example.document.definitions.length, 1, "exactly one definition");
      const operation = getOperationAST(example.document);
      assert.ok(operation?.name, "the operation has a name");
      const [kind, field] = example.name.split("/");
      assert.equal(kind, operation.operation === "query" ? "queries" : "mutations");
      // Named after its field: createProject.graphql holds `mutation CreateProject`.
      assert.equal(operation.name.value, field[0].toUpperCase() + field.slice(1));
      assert.deepEqual(rootFields(example), [
        `${operation.operation === "query" ? "Query" : "Mutation"}.${field}`,
      ]);
      assert.match(example.text, /^# \S.*\n/, "starts with a comment saying who may call it");
      if (operation.operation === "mutation") {
        const payload = getNamedType(schema.getMutationType()!.getFields()[field].type);
        if (isObjectType(payload) && "userErrors" in payload.getFields()) {
          assert.match(
            example.text,
            /\buserErrors\s*\{\s*code\s+field\s+message\s*\}/,
            "selects userErrors { code field message }",
          );
        }
      }
    });
  }

  it("cover every Query and Mutation field of the contract (and of next.graphql's resolved parts)", () => {
    const contract = contractNext.coveredContract();
    const required = [contract.getQueryType()!, contract.getMutationType()!].flatMap((type) =>
      Object.keys(type.getFields()).map((field) => `${type.name}.${field}`),
    );
    const covered = new Set([...examples.values()].flatMap(rootFields));
    assert.deepEqual(
      required.filter((field) => !covered.has(field)),
      [],
    );
  });

  it("README.md sends exactly each file's operation, in a curl command", () => {
    const readme = readFileSync(path.join(EXAMPLES, "README.md"), "utf8");
    const sections = new Map<string, string>();
    for (const part of readme.split(/^### /m).slice(1)) {
      sections.set(part.slice(0, part.indexOf("\n")).trim(), part);
    }
    for (const example of examples.values()) {
      const field = example.name.split("/")[1];
      const section = sections.get(field);
      assert.ok(section, `README.md has a "### ${field}" section`);
      assert.ok(section.includes(`(${example.name}.graphql)`), `${field}: links its file`);
      const bodies = [...section.matchAll(/ -d '([\s\S]*?)'\n/g)].map((match) =>
        // `'"$ORG_ID"'` lets the shell fill in a variable; any string stands in for it here.
        JSON.parse(match[1].replace(/'"\$(\w+)"'/g, "$1")),
      );
      assert.ok(bodies.length > 0, `${field}: has a curl command`);
      assert.ok(section.includes('curl -sS "$API"'), `${field}: posts to $API`);
      for (const body of bodies) {
        assert.equal(print(parse(body.query)), print(example.document), `${field}: same query`);
      }
    }
  });
});

/**
 * How each example runs, in order: builders first, readers next, destructive ones (unassign,
 * remove, delete, logOut) last. `variables` builds the variables; `check` looks at the answer and
 * keeps the ids later steps need.
 */
interface Step {
  example: string;
  caller: () => Client;
  as: string;
  variables: () => Record<string, unknown>;
  check?: (payload: any) => void;
}

describe("examples/: each operation against the running service", () => {
  let service: TestService;
  let owner: UserActor;
  let organization: OrganizationFixture;
  let ownerKey: KeyFixture;
  // Filled in as the steps run.
  const state = {
    newcomer: { id: "", email: "", password: "" },
    sessionToken: "",
    organizationId: "",
    projectId: "",
    apiKey: { id: "", publicKey: "", privateKey: "" },
    oldSecretId: "",
  };

  before(async () => {
    service = await startTestService();
    const seed = new Seed(service.client);
    owner = await seed.user();
    organization = await owner.organization();
    ownerKey = await organization.apiKey({
      roles: ["ORG_OWNER"],
      accessList: [{ cidrBlock: "127.0.0.0/8" }],
    });
  });
  after(() => service.stop());

  const anonymous = () => service.client;
  const asOwner = () => owner.client;
  const asOwnerKey = () => ownerKey.client;
  const asCreatedKey = () =>
    service.client.as({
      kind: "apiKey",
      publicKey: state.apiKey.publicKey,
      privateKey: state.apiKey.privateKey,
    });
  const asNewSession = () => service.client.as({ kind: "bearer", token: state.sessionToken });

  const steps: Step[] = [
    {
      example: "mutations/signUp",
      caller: anonymous,
      as: "anonymous",
      variables: () => {
        const name = unique("newcomer");
        state.newcomer.email = `${name}@example.test`;
        state.newcomer.password = `pw-${randomBytes(12).toString("hex")}`;
        registerSecret(state.newcomer.password);
        return { input: { email: state.newcomer.email, password: state.newcomer.password, name } };
      },
      check: (payload) => {
        assert.match(payload.token, /^kfs_/);
        state.newcomer.id = payload.user.id;
      },
    },
    {
      example: "mutations/logIn",
      caller: anonymous,
      as: "anonymous",
      variables: () => ({ input: { email: owner.email, password: owner.password } }),
      check: (payload) => {
        assert.equal(payload.user.id, owner.id);
        state.sessionToken = payload.token;
      },
    },
    {
      example: "queries/viewer",
      caller: asOwner,
      as: "a user",
      variables: () => ({}),
      check: (viewer) => assert.deepEqual([viewer.__typename, viewer.id], ["User", owner.id]),
    },
    {
      example: "queries/viewer",
      caller: asOwnerKey,
      as: "an API key",
      variables: () => ({}),
      check: (viewer) =>
        assert.deepEqual(
          [viewer.__typename, viewer.id, viewer.organization.id],
          ["ApiKey", ownerKey.id, organization.id],
        ),
    },
    {
      example: "mutations/createOrganization",
      caller: asOwner,
      as: "a user",
      variables: () => ({ input: { name: unique("Acme") } }),
      check: (payload) => {
        assert.deepEqual(payload.organization.viewerRoles, ["ORG_OWNER"]);
        state.organizationId = payload.organization.id;
      },
    },
    {
      example: "mutations/updateOrganizationSettings",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: {
          organizationId: state.organizationId,
          apiAccessListRequired: true,
          maxApiKeyLifetimeDays: 365,
        },
      }),
      check: (payload) => {
        assert.equal(payload.organization.apiAccessListRequired, true);
        assert.equal(payload.organization.maxApiKeyLifetimeDays, 365);
      },
    },
    {
      example: "mutations/addOrganizationMember",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: {
          organizationId: state.organizationId,
          email: state.newcomer.email,
          roles: ["ORG_MEMBER"],
        },
      }),
      check: (payload) => assert.equal(payload.membership.user.id, state.newcomer.id),
    },
    {
      example: "mutations/updateOrganizationMemberRoles",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: {
          organizationId: state.organizationId,
          userId: state.newcomer.id,
          roles: ["ORG_MEMBER", "ORG_GROUP_CREATOR"],
        },
      }),
      check: (payload) =>
        assert.deepEqual([...payload.membership.roles].sort(), ["ORG_GROUP_CREATOR", "ORG_MEMBER"]),
    },
    {
      example: "mutations/createProject",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: { organizationId: state.organizationId, name: unique("web-shop") },
      }),
      check: (payload) => {
        assert.equal(payload.project.organization.id, state.organizationId);
        state.projectId = payload.project.id;
      },
    },
    {
      example: "mutations/addProjectMember",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: {
          projectId: state.projectId,
          userId: state.newcomer.id,
          roles: ["GROUP_READ_ONLY"],
        },
      }),
      check: (payload) => assert.deepEqual(payload.membership.roles, ["GROUP_READ_ONLY"]),
    },
    {
      example: "mutations/updateProjectMemberRoles",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: {
          projectId: state.projectId,
          userId: state.newcomer.id,
          roles: ["GROUP_DATA_ACCESS_READ_WRITE"],
        },
      }),
      check: (payload) =>
        assert.deepEqual(payload.membership.roles, ["GROUP_DATA_ACCESS_READ_WRITE"]),
    },
    {
      example: "mutations/createOrganizationApiKey",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: {
          organizationId: state.organizationId,
          description: "deploy bot",
          roles: ["ORG_MEMBER"],
          accessList: [{ cidrBlock: "127.0.0.0/8", comment: "this machine" }],
          expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
        },
      }),
      check: (payload) => {
        assert.ok(payload.privateKey);
        assert.ok(payload.apiKey.expiresAt);
        assert.ok(payload.apiKey.privateKeyRedacted.endsWith(payload.privateKey.slice(-12)));
        state.apiKey = {
          id: payload.apiKey.id,
          publicKey: payload.apiKey.publicKey,
          privateKey: payload.privateKey,
        };
      },
    },
    {
      example: "mutations/updateOrganizationApiKey",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: {
          apiKeyId: state.apiKey.id,
          description: "deploy bot (prod)",
          roles: ["ORG_MEMBER", "ORG_READ_ONLY"],
        },
      }),
      check: (payload) => assert.equal(payload.apiKey.description, "deploy bot (prod)"),
    },
    {
      example: "mutations/updateOrganizationApiKey",
      caller: asOwner,
      as: "ORG_OWNER (suspending the key)",
      variables: () => ({ input: { apiKeyId: state.apiKey.id, enabled: false } }),
      check: (payload) => assert.equal(payload.apiKey.enabled, false),
    },
    {
      example: "mutations/updateOrganizationApiKey",
      caller: asOwner,
      as: "ORG_OWNER (enabling it again, with a new expiry)",
      variables: () => ({
        input: {
          apiKeyId: state.apiKey.id,
          enabled: true,
          expiresAt: new Date(Date.now() + 180 * 86_400_000).toISOString(),
        },
      }),
      check: (payload) => assert.equal(payload.apiKey.enabled, true),
    },
    {
      example: "mutations/rotateApiKeySecret",
      caller: asOwner,
      as: "ORG_OWNER (a one-day grace)",
      variables: () => ({ input: { apiKeyId: state.apiKey.id, gracePeriodSeconds: 86_400 } }),
      check: (payload) => {
        assert.ok(payload.privateKey);
        assert.equal(payload.apiKey.secrets.length, 2);
        assert.ok(payload.apiKey.privateKeyRedacted.endsWith(payload.privateKey.slice(-12)));
        state.oldSecretId = payload.apiKey.secrets[1].id;
        // Clients switch to the new private key.
        state.apiKey.privateKey = payload.privateKey;
      },
    },
    {
      example: "mutations/revokeApiKeySecret",
      caller: asOwner,
      as: "ORG_OWNER (the old secret, once the clients have switched)",
      variables: () => ({ input: { apiKeyId: state.apiKey.id, secretId: state.oldSecretId } }),
      check: (payload) => assert.equal(payload.apiKey.secrets.length, 1),
    },
    {
      example: "mutations/addApiKeyAccessListEntries",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: {
          apiKeyId: state.apiKey.id,
          entries: [
            { ipAddress: "198.51.100.7", comment: "office" },
            { cidrBlock: "2001:db8::/32" },
          ],
        },
      }),
      check: (payload) =>
        assert.deepEqual(payload.apiKey.accessList.map((entry: any) => entry.cidrBlock).sort(), [
          "127.0.0.0/8",
          "198.51.100.7/32",
          "2001:db8::/32",
        ]),
    },
    {
      example: "mutations/createProjectApiKey",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: {
          projectId: state.projectId,
          description: "metrics exporter",
          roles: ["GROUP_READ_ONLY"],
          accessList: [{ ipAddress: "127.0.0.1" }],
        },
      }),
      check: (payload) => {
        assert.ok(payload.privateKey);
        assert.deepEqual(payload.apiKey.roles, ["ORG_MEMBER"]);
        assert.deepEqual(payload.apiKey.projectAssignments[0].project.id, state.projectId);
      },
    },
    {
      example: "mutations/assignApiKeyToProject",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: {
          projectId: state.projectId,
          apiKeyId: state.apiKey.id,
          roles: ["GROUP_READ_ONLY"],
        },
      }),
      check: (payload) => assert.equal(payload.assignment.apiKey.id, state.apiKey.id),
    },
    {
      example: "mutations/updateProjectApiKeyRoles",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: {
          projectId: state.projectId,
          apiKeyId: state.apiKey.id,
          roles: ["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"],
        },
      }),
      check: (payload) =>
        assert.deepEqual([...payload.assignment.roles].sort(), [
          "GROUP_CLUSTER_MANAGER",
          "GROUP_READ_ONLY",
        ]),
    },
    {
      example: "queries/node",
      caller: asOwner,
      as: "a member",
      variables: () => ({ id: state.projectId }),
      check: (node) => assert.deepEqual([node.__typename, node.id], ["Project", state.projectId]),
    },
    {
      example: "queries/organization",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({ id: state.organizationId, withApiKeys: true }),
      check: (org) => {
        assert.equal(org.members.totalCount, 2);
        assert.equal(org.projects.totalCount, 1);
        assert.equal(org.apiKeys.totalCount, 2);
        assert.equal(org.maxApiKeyLifetimeDays, 365);
        assert.equal(org.events, undefined, "the trail only when asked for");
      },
    },
    {
      example: "queries/organization",
      caller: asOwner,
      as: "ORG_OWNER, the audit trail of one key",
      variables: () => ({
        id: state.organizationId,
        first: 50,
        withEvents: true,
        eventFilter: {
          apiKeyId: state.apiKey.id,
          types: ["API_KEY_CREATED", "API_KEY_ACCESS_LIST_ENTRY_ADDED"],
          since: "2026-01-01T00:00:00Z",
        },
      }),
      check: (org) => {
        const events = org.events.edges.map((edge: any) => edge.node);
        assert.ok(events.length >= 2, JSON.stringify(events));
        assert.equal(org.events.totalCount, events.length);
        assert.equal(events.at(-1).type, "API_KEY_CREATED");
        for (const event of events) {
          assert.equal(event.targetApiKey.id, state.apiKey.id);
          assert.equal(event.targetPublicKey, state.apiKey.publicKey);
          assert.equal(event.actor.id, owner.id);
          assert.equal(event.actorLabel, owner.email);
        }
      },
    },
    {
      example: "queries/organization",
      caller: asOwner,
      as: "ORG_OWNER, with a key filter",
      variables: () => ({
        id: state.organizationId,
        withApiKeys: true,
        keyFilter: { search: "DEPLOY", enabled: true },
      }),
      check: (org) => {
        assert.equal(org.apiKeys.totalCount, 1);
        assert.equal(org.apiKeys.edges[0].node.id, state.apiKey.id);
      },
    },
    {
      example: "queries/organizations",
      caller: asCreatedKey,
      as: "an API key (its own organization)",
      variables: () => ({ first: 10 }),
      check: (connection) =>
        assert.deepEqual(
          connection.edges.map((edge: any) => edge.node.id),
          [state.organizationId],
        ),
    },
    {
      example: "queries/project",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({ id: state.projectId, withApiKeys: true, withEvents: true }),
      check: (project) => {
        const members = project.members.edges.map((edge: any) => edge.node.user.id);
        assert.ok(members.includes(state.newcomer.id), "the newcomer is a member");
        assert.equal(project.apiKeys.totalCount, 2);
        const types = project.events.edges.map((edge: any) => edge.node.type);
        assert.equal(types.at(-1), "GROUP_CREATED");
        assert.ok(types.includes("GROUP_MEMBER_ADDED") && types.includes("API_KEY_ADDED_TO_GROUP"));
      },
    },
    {
      example: "queries/apiKey",
      caller: asCreatedKey,
      as: "the key itself",
      variables: () => ({ id: state.apiKey.id }),
      check: (key) => {
        assert.equal(key.publicKey, state.apiKey.publicKey);
        assert.deepEqual(
          key.projectAssignments.map((assignment: any) => assignment.project.id),
          [state.projectId],
        );
        assert.ok(key.lastUsedAt, "the key's own request counts as a use");
      },
    },
    // Destructive ones last.
    {
      example: "mutations/unassignApiKeyFromProject",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({ input: { projectId: state.projectId, apiKeyId: state.apiKey.id } }),
      check: (payload) => assert.deepEqual(payload.apiKey.projectAssignments, []),
    },
    {
      example: "mutations/removeApiKeyAccessListEntry",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({ input: { apiKeyId: state.apiKey.id, entry: "198.51.100.7" } }),
      check: (payload) => assert.equal(payload.apiKey.accessList.length, 2),
    },
    {
      example: "mutations/removeProjectMember",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({ input: { projectId: state.projectId, userId: state.newcomer.id } }),
      check: (payload) => assert.equal(payload.removedUserId, state.newcomer.id),
    },
    {
      example: "mutations/removeOrganizationMember",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({
        input: { organizationId: state.organizationId, userId: state.newcomer.id },
      }),
      check: (payload) => assert.equal(payload.removedUserId, state.newcomer.id),
    },
    {
      example: "mutations/deleteOrganizationApiKey",
      caller: asOwner,
      as: "ORG_OWNER",
      variables: () => ({ input: { apiKeyId: state.apiKey.id } }),
      check: (payload) => assert.equal(payload.deletedApiKeyId, state.apiKey.id),
    },
    {
      example: "mutations/logOut",
      caller: asNewSession,
      as: "the session from logIn",
      variables: () => ({}),
      check: (payload) => assert.equal(payload.ok, true),
    },
  ];

  it("runs every example file", () => {
    const run = new Set(steps.map((step) => step.example));
    assert.deepEqual(
      [...examples.keys()].filter((name) => !run.has(name)),
      [],
    );
    assert.deepEqual(
      [...run].filter((name) => !examples.has(name)),
      [],
    );
  });

  for (const step of steps) {
    it(`${step.example} as ${step.as}: no errors, no userErrors`, async () => {
      const example = examples.get(step.example);
      assert.ok(example, `examples/${step.example}.graphql exists`);
      const [field] = rootFields(example).map((name) => name.split(".")[1]);
      const result = await step.caller().raw(example.text, step.variables());
      assert.equal(result.errors, undefined, `unexpected errors: ${result.text}`);
      assert.equal(result.status, 200, result.text);
      const payload = result.data?.[field] as any;
      assert.ok(payload, `${field} answered null: ${result.text}`);
      if (payload && typeof payload === "object" && "userErrors" in payload) {
        assert.deepEqual(payload.userErrors, [], `unexpected user errors: ${result.text}`);
      }
      step.check?.(payload);
    });
  }
});
