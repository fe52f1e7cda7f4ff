import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ClientCredentials } from "simple-oauth2";
import { Client } from "./support/client";
import { request } from "./support/http";
import { registerSecret } from "./support/leaks";
import { Seed, type KeyFixture, type OrganizationFixture } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const VIEWER = `{ viewer { ... on ApiKey { publicKey } } }`;

/**
 * simple-oauth2 (the hapi project's OAuth 2.0 client, ~2 M downloads a week), unchanged, against
 * the real service: it finds the endpoints through the RFC 8414 metadata, gets a token with each
 * client authentication method, and the token ends when the key is deleted or the token revoked.
 */
describe("a standard OAuth client library (simple-oauth2)", () => {
  let service: TestService;
  let org: OrganizationFixture;
  let metadata: { token_endpoint: string; revocation_endpoint: string };

  before(async () => {
    service = await startTestService();
    org = await (await new Seed(service.client).user()).organization();
    const response = await request(`${service.url}/.well-known/oauth-authorization-server`);
    metadata = JSON.parse(response.text);
  });
  after(() => service.stop());

  function oauthClient(key: KeyFixture, authorizationMethod: "header" | "body") {
    const tokenUrl = new URL(metadata.token_endpoint);
    return new ClientCredentials({
      client: { id: key.publicKey, secret: key.privateKey },
      auth: {
        tokenHost: tokenUrl.origin,
        tokenPath: tokenUrl.pathname,
        revokePath: new URL(metadata.revocation_endpoint).pathname,
      },
      options: { authorizationMethod },
    });
  }

  for (const method of ["header", "body"] as const) {
    it(`gets a token (client authentication in the ${method}), calls viewer, and is refused once the key is deleted`, async () => {
      const key = await org.apiKey();
      const accessToken = await oauthClient(key, method).getToken({});
      const token = accessToken.token.access_token as string;
      registerSecret(token);
      assert.equal(accessToken.token.token_type, "Bearer");
      assert.equal(accessToken.expired(), false);
      assert.ok(accessToken.token.expires_at instanceof Date, "the library read expires_in");

      const client = new Client(service.url, { kind: "bearer", token });
      const { viewer } = await client.query(VIEWER);
      assert.equal(viewer.publicKey, key.publicKey);

      await org.client.mutate(
        `mutation ($input: DeleteOrganizationApiKeyInput!) { deleteOrganizationApiKey(input: $input) { deletedApiKeyId userErrors { code } } }`,
        { input: { apiKeyId: key.id } },
      );
      const refused = await client.raw(VIEWER);
      assert.equal(refused.status, 401);
      assert.equal(refused.errors?.[0].extensions?.code, "UNAUTHENTICATED");
      await assert.rejects(
        oauthClient(key, method).getToken({}),
        (error: { output?: { statusCode: number; payload: { error?: string } } }) => {
          assert.equal(error.output?.statusCode, 401);
          return true;
        },
      );
    });
  }

  it("revokes its token (RFC 7009)", async () => {
    const key = await org.apiKey();
    const accessToken = await oauthClient(key, "header").getToken({});
    const token = accessToken.token.access_token as string;
    registerSecret(token);
    const client = new Client(service.url, { kind: "bearer", token });
    assert.equal((await client.raw(VIEWER)).status, 200);
    await accessToken.revoke("access_token");
    assert.equal((await client.raw(VIEWER)).status, 401);
  });

  it("surfaces the server's OAuth errors", async () => {
    const key = await org.apiKey();
    await assert.rejects(
      oauthClient(key, "header").getToken({ scope: "read" }),
      (error: { output?: { statusCode: number }; data?: { payload?: { error?: string } } }) => {
        assert.equal(error.output?.statusCode, 400);
        assert.equal(error.data?.payload?.error, "invalid_scope");
        return true;
      },
    );
  });
});
