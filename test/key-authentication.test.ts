import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Client } from "./support/client";
import { Seed, type OrganizationFixture } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const VIEWER = `{ viewer { __typename ... on ApiKey { id publicKey } } }`;
const KEY_USAGE = `query ($id: ID!) { apiKey(id: $id) { lastUsedAt accessList { cidrBlock usageCount lastUsedAt lastUsedAddress } } }`;

/** Polls until `check` passes or two seconds have gone: usage is written in the background. */
async function eventually(check: () => Promise<void>, withinMs = 2_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

describe("authenticating with an API key (HTTP Basic)", () => {
  let service: TestService;
  let org: OrganizationFixture;
  before(async () => {
    service = await startTestService();
    org = await (await new Seed(service.client).user()).organization();
  });
  after(() => service.stop());

  it("admits a key from an address on its access list; viewer is the key", async () => {
    const key = await org.apiKey({ accessList: [{ ipAddress: "127.0.0.1" }] });
    const data = await key.client.query(VIEWER);
    assert.deepEqual(data.viewer, { __typename: "ApiKey", id: key.id, publicKey: key.publicKey });
  });

  it("answers an unknown public key and a wrong private key with the same 401", async () => {
    const key = await org.apiKey();
    const wrongPrivate = await service.client
      .as({
        kind: "apiKey",
        publicKey: key.publicKey,
        privateKey: "00000000-0000-4000-8000-000000000000",
      })
      .raw(VIEWER);
    const unknownPublic = await service.client
      .as({ kind: "apiKey", publicKey: "zzzzzzzz", privateKey: key.privateKey })
      .raw(VIEWER);
    for (const result of [wrongPrivate, unknownPublic]) {
      assert.equal(result.status, 401);
      assert.equal(result.headers["www-authenticate"], 'Basic realm="keyfob"');
      assert.equal(result.errors?.[0].extensions?.code, "UNAUTHENTICATED");
    }
    assert.equal(wrongPrivate.text, unknownPublic.text);
  });

  it("refuses a key from an address outside its access list with 403, naming the address", async () => {
    const key = await org.apiKey({
      accessList: [{ ipAddress: "127.0.0.1" }, { cidrBlock: "127.0.1.0/24" }],
    });
    const result = await key.client.raw(VIEWER, {}, { localAddress: "127.0.0.2" });
    assert.equal(result.status, 403);
    assert.equal(result.errors?.[0].extensions?.code, "IP_ADDRESS_NOT_ON_ACCESS_LIST");
    assert.match(result.errors![0].message, /127\.0\.0\.2/);
    assert.match(result.errors![0].message, /access list/);
    const fromBlock = await key.client.query(VIEWER, {}, { localAddress: "127.0.1.77" });
    assert.equal(fromBlock.viewer.id, key.id);
  });

  it("refuses a key with an empty access list everywhere while the organization requires one", async () => {
    const strict = await (await new Seed(service.client).user()).organization();
    const key = await strict.apiKey({ accessList: [] });
    const refused = await key.client.raw(VIEWER);
    assert.equal(refused.status, 403);
    assert.equal(refused.errors?.[0].extensions?.code, "IP_ADDRESS_NOT_ON_ACCESS_LIST");
    assert.match(refused.errors![0].message, /organization requires/);

    await strict.setAccessListRequired(false);
    const admitted = await key.client.query(VIEWER, {}, { localAddress: "127.0.0.9" });
    assert.equal(admitted.viewer.id, key.id);

    await strict.setAccessListRequired(true);
    assert.equal((await key.client.raw(VIEWER)).status, 403);
  });

  it("counts admitted requests on the admitting entry within two seconds; refused ones change nothing", async () => {
    const key = await org.apiKey({
      accessList: [{ ipAddress: "127.0.0.3" }, { cidrBlock: "127.0.0.0/8" }],
    });
    await key.client.query(VIEWER, {}, { localAddress: "127.0.0.3" });
    await key.client.query(VIEWER, {}, { localAddress: "127.0.0.3" });
    await key.client.query(VIEWER, {}, { localAddress: "127.0.0.4" });
    await eventually(async () => {
      const { apiKey } = await org.client.query(KEY_USAGE, { id: key.id });
      const [single, block] = apiKey.accessList;
      assert.equal(single.usageCount, 2, "the most specific entry admits 127.0.0.3");
      assert.equal(single.lastUsedAddress, "127.0.0.3");
      assert.equal(block.usageCount, 1);
      assert.equal(block.lastUsedAddress, "127.0.0.4");
      assert.ok(apiKey.lastUsedAt);
    });

    const narrow = await org.apiKey({ accessList: [{ ipAddress: "127.0.0.5" }] });
    assert.equal((await narrow.client.raw(VIEWER, {}, { localAddress: "127.0.0.6" })).status, 403);
    await service.service.services.usage.flush();
    const { apiKey } = await org.client.query(KEY_USAGE, { id: narrow.id });
    assert.equal(apiKey.lastUsedAt, null);
    assert.deepEqual(
      apiKey.accessList.map((entry: any) => [entry.usageCount, entry.lastUsedAt]),
      [[0, null]],
    );
  });

  it("refuses a deleted key on the very next request", async () => {
    const key = await org.apiKey({ roles: ["ORG_OWNER"] });
    assert.equal((await key.client.query(VIEWER)).viewer.id, key.id);
    await org.client.mutate(
      `mutation ($input: DeleteOrganizationApiKeyInput!) { deleteOrganizationApiKey(input: $input) { deletedApiKeyId userErrors { code } } }`,
      { input: { apiKeyId: key.id } },
    );
    const result = await key.client.raw(VIEWER);
    assert.equal(result.status, 401);
  });

  it("drops the Authorization header once the request is authenticated, before Apollo copies the headers", async () => {
    const key = await org.apiKey({ accessList: [{ ipAddress: "127.0.0.1" }] });
    const seen: IncomingMessage[] = [];
    const server = service.service.app.fastify.server;
    const capture = (request: IncomingMessage) => void seen.push(request);
    server.on("request", capture);
    try {
      assert.equal((await key.client.query(VIEWER)).viewer.id, key.id);
      assert.equal((await org.client.query(VIEWER)).viewer.__typename, "User");
    } finally {
      server.off("request", capture);
    }
    assert.equal(seen.length, 2);
    for (const request of seen) {
      assert.ok(request.rawHeaders.some((name) => name.toLowerCase() === "authorization"));
      assert.equal(request.headers.authorization, undefined);
    }
  });

  it("refuses @userOnly fields to keys with FORBIDDEN", async () => {
    const key = await org.apiKey({ roles: ["ORG_OWNER"] });
    assert.equal(await key.client.errorCode(`mutation { logOut { ok } }`), "FORBIDDEN");
    assert.equal(
      await key.client.errorCode(
        `mutation { createOrganization(input: { name: "x" }) { organization { id } } }`,
      ),
      "FORBIDDEN",
    );
  });
});

describe("the client address behind a proxy", () => {
  let direct: TestService;
  let behindProxy: TestService;
  let org: OrganizationFixture;
  before(async () => {
    direct = await startTestService();
    behindProxy = await startTestService({ TRUST_PROXY: "127.0.0.10" });
    org = await (await new Seed(direct.client).user()).organization();
  });
  after(async () => {
    await direct.stop();
    await behindProxy.stop();
  });

  it("ignores X-Forwarded-For when TRUST_PROXY is not set", async () => {
    const key = await org.apiKey({ accessList: [{ ipAddress: "203.0.113.7" }] });
    const result = await key.client.raw(
      VIEWER,
      {},
      { headers: { "x-forwarded-for": "203.0.113.7" } },
    );
    assert.equal(result.status, 403);
    assert.match(result.errors![0].message, /127\.0\.0\.1/);
  });

  it("believes X-Forwarded-For only from a trusted proxy", async () => {
    const key = await org.apiKey({ accessList: [{ ipAddress: "203.0.113.7" }] });
    const viaProxy = new Client(behindProxy.url, key.client.credentials);
    const trusted = await viaProxy.query(
      VIEWER,
      {},
      {
        localAddress: "127.0.0.10",
        headers: { "x-forwarded-for": "198.51.100.1, 203.0.113.7" },
      },
    );
    assert.equal(trusted.viewer.id, key.id, "the hop next to the trusted proxy is the client");
    const untrusted = await viaProxy.raw(
      VIEWER,
      {},
      {
        localAddress: "127.0.0.11",
        headers: { "x-forwarded-for": "203.0.113.7" },
      },
    );
    assert.equal(untrusted.status, 403);
  });
});

describe("IPv6 access lists", () => {
  let service: TestService;
  let org: OrganizationFixture;
  before(async () => {
    service = await startTestService({ HOST: "::" });
    org = await (await new Seed(service.client).user()).organization();
  });
  after(() => service.stop());

  it("admits ::1 by a /128 entry and by a block, and refuses it when only IPv4 is listed", async (t) => {
    const ipv6 = new Client(
      service.url.replace(/\/\/[^/]+/, `//[::1]:${new URL(service.url).port}`),
      {
        kind: "anonymous",
      },
    );
    const single = await org.apiKey({ accessList: [{ ipAddress: "::1" }] });
    try {
      await ipv6.as(single.client.credentials).query(VIEWER);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EADDRNOTAVAIL")
        return t.skip("no IPv6 loopback");
      throw error;
    }
    const block = await org.apiKey({ accessList: [{ cidrBlock: "::/64" }] });
    assert.equal((await ipv6.as(block.client.credentials).query(VIEWER)).viewer.id, block.id);
    const v4Only = await org.apiKey({ accessList: [{ cidrBlock: "127.0.0.0/8" }] });
    const refused = await ipv6.as(v4Only.client.credentials).raw(VIEWER);
    assert.equal(refused.status, 403);
    assert.match(refused.errors![0].message, /::1/);
    // An IPv4 client of a dual-stack socket (seen as ::ffff:127.0.0.1) is still matched as IPv4.
    const ipv4 = new Client(
      `http://127.0.0.1:${new URL(service.url).port}`,
      v4Only.client.credentials,
    );
    assert.equal((await ipv4.query(VIEWER)).viewer.id, v4Only.id);
  });
});
