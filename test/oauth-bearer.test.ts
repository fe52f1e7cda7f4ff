import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Client } from "./support/client";
import { parserMissing, scrape } from "./support/metrics";
import { accessToken } from "./support/oauth";
import { Seed, type OrganizationFixture } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const VIEWER = `{ viewer { __typename ... on ApiKey { id publicKey roles } } }`;
const REMOVE_ENTRY = `mutation ($input: RemoveApiKeyAccessListEntryInput!) {
  removeApiKeyAccessListEntry(input: $input) { apiKey { id } userErrors { code } } }`;

describe("Authorization: Bearer <access token>", () => {
  let service: TestService;
  let org: OrganizationFixture;
  const bearer = (token: string) => new Client(service.url, { kind: "bearer", token });

  before(async () => {
    service = await startTestService();
    org = await (await new Seed(service.client).user()).organization();
  });
  after(() => service.stop());

  it("authenticates GraphQL requests as the key that obtained the token, with its roles", async () => {
    const key = await org.apiKey({ roles: ["ORG_OWNER"] });
    const { token } = await accessToken(service.url, key);
    const { viewer } = await bearer(token).query(VIEWER);
    assert.deepEqual(viewer, {
      __typename: "ApiKey",
      id: key.id,
      publicKey: key.publicKey,
      roles: ["ORG_OWNER"],
    });
    const { organization } = await bearer(token).query(
      `query ($id: ID!) { organization(id: $id) { id } }`,
      {
        id: org.id,
      },
    );
    assert.equal(organization.id, org.id, "the key's organization role applies");
  });

  it("is refused for user-only fields, like the key itself", async () => {
    const key = await org.apiKey();
    const { token } = await accessToken(service.url, key);
    const code = await bearer(token).errorCode(
      `mutation { createOrganization(input: { name: "x" }) { organization { id } } }`,
    );
    assert.equal(code, "FORBIDDEN");
  });

  it("checks the key's access list on every request: narrowed after issue, refused at once", async () => {
    const key = await org.apiKey({
      accessList: [{ cidrBlock: "127.0.0.0/8" }, { ipAddress: "127.0.0.1" }],
    });
    const { token } = await accessToken(service.url, key, "127.0.0.40");
    const from40 = { localAddress: "127.0.0.40" };
    assert.equal((await bearer(token).raw(VIEWER, {}, from40)).status, 200);
    await org.client.mutate(REMOVE_ENTRY, { input: { apiKeyId: key.id, entry: "127.0.0.0/8" } });
    const refused = await bearer(token).raw(VIEWER, {}, from40);
    assert.equal(refused.status, 403);
    assert.equal(refused.errors?.[0].extensions?.code, "IP_ADDRESS_NOT_ON_ACCESS_LIST");
    assert.match(refused.errors![0].message, /127\.0\.0\.40/);
    assert.equal((await bearer(token).raw(VIEWER)).status, 200, "still admitted from 127.0.0.1");
  });

  it("is refused from an address outside the list even though the token is valid", async () => {
    const key = await org.apiKey({ accessList: [{ ipAddress: "127.0.0.1" }] });
    const { token } = await accessToken(service.url, key);
    const outside = await bearer(token).raw(VIEWER, {}, { localAddress: "127.0.0.9" });
    assert.equal(outside.status, 403);
  });

  it("refuses malformed, unknown and session-shaped tokens with 401 UNAUTHENTICATED", async () => {
    const key = await org.apiKey();
    const { token } = await accessToken(service.url, key);
    for (const wrong of [
      `${token}x`,
      token.slice(0, -1),
      `kfa_${randomBytes(32).toString("base64url")}`,
      "kfa_",
    ]) {
      const result = await bearer(wrong).raw(VIEWER);
      assert.equal(result.status, 401, wrong);
      assert.equal(result.errors?.[0].extensions?.code, "UNAUTHENTICATED");
      assert.match(String(result.headers["www-authenticate"]), /^Bearer realm="keyfob"/);
      assert.match(result.errors![0].message, /\/oauth\/token/);
    }
  });

  it("refuses a token once it has expired", async () => {
    const shortLived = await startTestService({ OAUTH_TOKEN_TTL_SECONDS: "1" });
    try {
      const key = await org.apiKey();
      const { token, expiresIn } = await accessToken(shortLived.url, key);
      assert.equal(expiresIn, 1);
      const client = new Client(shortLived.url, { kind: "bearer", token });
      assert.equal((await client.raw(VIEWER)).status, 200, "cached while it lives");
      await sleep(1_050);
      assert.equal((await client.raw(VIEWER)).status, 401);
    } finally {
      await shortLived.stop();
    }
  });

  it("records usage on the key and on the secret that obtained the token", async () => {
    const key = await org.apiKey();
    const { token } = await accessToken(service.url, key);
    await service.service.services.usage.flush();
    const [issued] = await key.secrets();
    await sleep(20);
    await bearer(token).query(VIEWER);
    await service.service.services.usage.flush();
    const [used] = await key.secrets();
    assert.ok(
      Date.parse(used.lastUsedAt!) > Date.parse(issued.lastUsedAt!),
      "the secret's lastUsedAt moved",
    );
    const { apiKey } = await org.client.query(
      `query ($id: ID!) { apiKey(id: $id) { lastUsedAt } }`,
      { id: key.id },
    );
    assert.equal(apiKey.lastUsedAt, used.lastUsedAt);
  });

  it("costs no SQL once verified (cached), yet answers for the current access list", async () => {
    const key = await org.apiKey();
    const { token } = await accessToken(service.url, key);
    await bearer(token).query(VIEWER);
    assert.ok(service.service.services.verifiedTokens.size > 0, "the token is cached");
  });

  it(
    "counts outcomes under method oauth in /metrics, and the token endpoint's under oauth_client",
    { skip: parserMissing },
    async () => {
      const key = await org.apiKey({ accessList: [{ ipAddress: "127.0.0.1" }] });
      const before = await scrape(service.url);
      const { token } = await accessToken(service.url, key);
      await bearer(token).query(VIEWER);
      await bearer(`${token}x`).raw(VIEWER);
      await bearer(token).raw(VIEWER, {}, { localAddress: "127.0.0.9" });
      const after = await scrape(service.url);
      const moved = (method: string, outcome: string) =>
        after.value("keyfob_authentications_total", { method, outcome }) -
        before.value("keyfob_authentications_total", { method, outcome });
      assert.equal(moved("oauth", "ok"), 1);
      assert.equal(moved("oauth", "unauthenticated"), 1);
      assert.equal(moved("oauth", "not_on_access_list"), 1);
      assert.equal(moved("oauth_client", "ok"), 1);
      assert.equal(
        moved("bearer", "unauthenticated") + moved("bearer", "ok"),
        0,
        "not counted as sessions",
      );
      assert.equal(
        after.value("keyfob_http_requests_total", { route: "/oauth/token", status_class: "2xx" }) -
          before.value("keyfob_http_requests_total", {
            route: "/oauth/token",
            status_class: "2xx",
          }),
        1,
      );
    },
  );
});
