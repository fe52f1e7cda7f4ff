import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Seed } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const CREATE_ORG_KEY = `mutation ($input: CreateOrganizationApiKeyInput!) {
  createOrganizationApiKey(input: $input) {
    apiKey { id publicKey privateKeyRedacted description roles accessList { ipAddress cidrBlock comment } }
    privateKey userErrors { code field message } } }`;
const KEY = `query ($id: ID!) {
  apiKey(id: $id) {
    id publicKey privateKeyRedacted description roles lastUsedAt
    projectAssignments { project { id name } roles }
    accessList { ipAddress cidrBlock usageCount lastUsedAddress } } }`;
const VIEWER = `{ viewer { __typename ... on ApiKey { id roles } } }`;

/**
 * Atlas's Programmatic Access, end to end through GraphQL, each step read back through the API.
 */
describe("the Atlas API-key flow", () => {
  let service: TestService;
  const issuedPrivateKeys: string[] = [];
  before(async () => {
    service = await startTestService();
  });
  after(() => service.stop());

  it("create a key with an access list, use it, watch its usage, then project keys, roles, unassign, delete", async () => {
    const owner = await new Seed(service.client).user();
    const org = await owner.organization();
    const web = await org.project("web");
    const data = await org.project("data");

    // 1. An organization key with an access list.
    const created = await owner.client.mutate(CREATE_ORG_KEY, {
      input: {
        organizationId: org.id,
        description: "CI deployer",
        roles: ["ORG_MEMBER", "ORG_READ_ONLY"],
        accessList: [{ ipAddress: "127.0.0.1", comment: "build agent" }],
      },
    });
    issuedPrivateKeys.push(created.privateKey);
    assert.match(created.apiKey.publicKey, /^[a-z]{8}$/);
    assert.match(
      created.privateKey,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(
      created.apiKey.privateKeyRedacted,
      `********-****-****-${created.privateKey.slice(-12)}`,
    );
    assert.deepEqual(created.apiKey.accessList, [
      { ipAddress: "127.0.0.1", cidrBlock: "127.0.0.1/32", comment: "build agent" },
    ]);
    const key = owner.client.as({
      kind: "apiKey",
      publicKey: created.apiKey.publicKey,
      privateKey: created.privateKey,
    });

    // 2. Use it from the allowed address; its usage counters move.
    const viewer = await key.query(VIEWER);
    assert.deepEqual(viewer.viewer, {
      __typename: "ApiKey",
      id: created.apiKey.id,
      roles: ["ORG_MEMBER", "ORG_READ_ONLY"],
    });
    await key.query(VIEWER);
    let usage: any;
    for (let tries = 0; tries < 20; tries++) {
      usage = (await owner.client.query(KEY, { id: created.apiKey.id })).apiKey;
      // The key and its entries are read by two statements: a flush may land between them.
      if (usage.accessList[0].usageCount === 2 && usage.lastUsedAt) break;
      await sleep(100);
    }
    assert.equal(usage.accessList[0].usageCount, 2);
    assert.equal(usage.accessList[0].lastUsedAddress, "127.0.0.1");
    assert.ok(usage.lastUsedAt);

    // 3. Refused from another address.
    const refused = await key.raw(VIEWER, {}, { localAddress: "127.0.0.2" });
    assert.equal(refused.status, 403);
    assert.equal(refused.errors?.[0].extensions?.code, "IP_ADDRESS_NOT_ON_ACCESS_LIST");

    // 4. A project key for "web".
    const projectKey = await owner.client.mutate(
      `mutation ($input: CreateProjectApiKeyInput!) {
         createProjectApiKey(input: $input) { apiKey { id roles projectAssignments { project { id } roles } } privateKey userErrors { code } } }`,
      {
        input: { projectId: web.id, description: "web deploys", roles: ["GROUP_CLUSTER_MANAGER"] },
      },
    );
    issuedPrivateKeys.push(projectKey.privateKey);
    assert.deepEqual(projectKey.apiKey.roles, ["ORG_MEMBER"]);
    assert.deepEqual(projectKey.apiKey.projectAssignments, [
      { project: { id: web.id }, roles: ["GROUP_CLUSTER_MANAGER"] },
    ]);

    // 5. Assign the organization key to both projects, then change its roles in one.
    for (const project of [web, data]) {
      await owner.client.mutate(
        `mutation ($input: AssignApiKeyToProjectInput!) { assignApiKeyToProject(input: $input) { assignment { roles } userErrors { code } } }`,
        {
          input: { projectId: project.id, apiKeyId: created.apiKey.id, roles: ["GROUP_READ_ONLY"] },
        },
      );
    }
    await owner.client.mutate(
      `mutation ($input: UpdateProjectApiKeyRolesInput!) { updateProjectApiKeyRoles(input: $input) { assignment { roles } userErrors { code } } }`,
      {
        input: {
          projectId: data.id,
          apiKeyId: created.apiKey.id,
          roles: ["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"],
        },
      },
    );
    let read = (await owner.client.query(KEY, { id: created.apiKey.id })).apiKey;
    assert.deepEqual(
      read.projectAssignments.map((a: any) => [a.project.name, a.roles]),
      [
        ["web", ["GROUP_READ_ONLY"]],
        ["data", ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"]],
      ],
    );

    // 6. Unassign from "web": it stays in the organization and in "data".
    const unassigned = await owner.client.mutate(
      `mutation ($input: UnassignApiKeyFromProjectInput!) { unassignApiKeyFromProject(input: $input) { apiKey { id } userErrors { code } } }`,
      { input: { projectId: web.id, apiKeyId: created.apiKey.id } },
    );
    assert.equal(unassigned.apiKey.id, created.apiKey.id);
    read = (await owner.client.query(KEY, { id: created.apiKey.id })).apiKey;
    assert.deepEqual(
      read.projectAssignments.map((a: any) => a.project.name),
      ["data"],
    );

    // 7. Delete it: gone from the API, refused on the next request.
    await owner.client.mutate(
      `mutation ($input: DeleteOrganizationApiKeyInput!) { deleteOrganizationApiKey(input: $input) { deletedApiKeyId userErrors { code } } }`,
      { input: { apiKeyId: created.apiKey.id } },
    );
    assert.deepEqual(await owner.client.query(KEY, { id: created.apiKey.id }), { apiKey: null });
    assert.equal((await key.raw(VIEWER)).status, 401);
  });

  it("shows a private key exactly once: in no later response, log line or database column", async () => {
    const owner = await new Seed(service.client).user();
    const org = await owner.organization();
    const key = await org.apiKey({ roles: ["ORG_OWNER"] });
    issuedPrivateKeys.push(key.privateKey);
    await key.client.query(VIEWER);
    const listed = await owner.client.raw(
      `query ($id: ID!) { organization(id: $id) { apiKeys { edges { node { id publicKey privateKeyRedacted } } } } node(id: $id) { id } }`,
      { id: org.id },
    );
    assert.ok(!listed.text.includes(key.privateKey));
    assert.ok(listed.text.includes(key.privateKey.slice(-12)), "the redacted form shows the tail");
    await service.service.services.usage.flush();

    for (const line of service.logs) {
      for (const privateKey of issuedPrivateKeys) assert.ok(!line.includes(privateKey), line);
    }
    const dump = execFileSync("pg_dump", ["--data-only", process.env.TEST_DATABASE_URL!], {
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
    for (const privateKey of issuedPrivateKeys) {
      assert.ok(!dump.includes(privateKey), "a private key is stored in clear");
    }
    assert.ok(dump.includes(key.publicKey), "the dump is of the right database");
  });
});
