import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { request } from "./support/http";
import { basic, oauthPost, type OAuthRequest, type OAuthResponse } from "./support/oauth";
import { Seed, type KeyFixture, type OrganizationFixture } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const GRANT = { grant_type: "client_credentials" };

/** Every answer of the token endpoint: JSON, never cached, never a GraphQL body. */
function assertOAuthShape(response: OAuthResponse) {
  assert.match(String(response.headers["content-type"]), /^application\/json/);
  assert.equal(response.headers["cache-control"], "no-store");
  assert.equal(response.headers.pragma, "no-cache");
  assert.ok(response.json, `a JSON body: ${response.text}`);
  assert.ok(!("errors" in response.json) && !("data" in response.json), "not a GraphQL body");
}

/** Asserts an RFC 6749 §5.2 error: status, code, and only `error` and `error_description`. */
function assertError(response: OAuthResponse, status: number, error: string) {
  assertOAuthShape(response);
  assert.equal(response.status, status, response.text);
  assert.deepEqual(Object.keys(response.json!).sort(), ["error", "error_description"]);
  assert.equal(response.json!.error, error, response.text);
  assert.equal(typeof response.json!.error_description, "string");
  if (status === 401) assert.equal(response.headers["www-authenticate"], 'Basic realm="keyfob"');
}

describe("POST /oauth/token (client-credentials grant)", () => {
  let service: TestService;
  let org: OrganizationFixture;
  let key: KeyFixture;
  const token = (options: OAuthRequest) => oauthPost(service.url, "/oauth/token", options);

  before(async () => {
    service = await startTestService();
    org = await (await new Seed(service.client).user()).organization();
    key = await org.apiKey({ roles: ["ORG_MEMBER"] });
  });
  after(() => service.stop());

  describe("issues a token", () => {
    it("to a key authenticated with HTTP Basic: Bearer, an hour, never cached", async () => {
      const response = await token({
        form: GRANT,
        authorization: basic(key.publicKey, key.privateKey),
      });
      assertOAuthShape(response);
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(Object.keys(response.json!).sort(), [
        "access_token",
        "expires_in",
        "token_type",
      ]);
      assert.match(response.json!.access_token as string, /^kfa_[A-Za-z0-9_-]{43}$/);
      assert.equal(response.json!.token_type, "Bearer");
      assert.equal(response.json!.expires_in, 3600);
    });

    it("to a key authenticated with client_id and client_secret in the body", async () => {
      const response = await token({
        form: { ...GRANT, client_id: key.publicKey, client_secret: key.privateKey },
      });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json!.token_type, "Bearer");
    });

    it("decodes Basic credentials that were form-urlencoded (RFC 6749 §2.3.1), and a matching client_id", async () => {
      const encoded = `%${key.publicKey.charCodeAt(0).toString(16)}${key.publicKey.slice(1)}`;
      const authorization = `Basic ${Buffer.from(`${encoded}:${key.privateKey}`).toString("base64")}`;
      assert.equal((await token({ form: GRANT, authorization })).status, 200);
      const named = await token({ form: { ...GRANT, client_id: key.publicKey }, authorization });
      assert.equal(named.status, 200, named.text);
    });

    it("accepts a charset on the content type and an empty scope (the same as none)", async () => {
      const response = await token({
        form: "grant_type=client_credentials&scope=",
        contentType: "application/x-www-form-urlencoded; charset=UTF-8",
        authorization: basic(key.publicKey, key.privateKey),
      });
      assert.equal(response.status, 200, response.text);
    });

    it("gives every request a different token", async () => {
      const first = await token({
        form: GRANT,
        authorization: basic(key.publicKey, key.privateKey),
      });
      const second = await token({
        form: GRANT,
        authorization: basic(key.publicKey, key.privateKey),
      });
      assert.notEqual(first.json!.access_token, second.json!.access_token);
    });
  });

  describe("invalid_request (400)", () => {
    const cases: [string, () => OAuthRequest][] = [
      [
        "a JSON body",
        () => ({
          form: JSON.stringify(GRANT),
          contentType: "application/json",
          authorization: basic(key.publicKey, key.privateKey),
        }),
      ],
      ["no body", () => ({ authorization: basic(key.publicKey, key.privateKey) })],
      [
        "a text body",
        () => ({
          form: "grant_type=client_credentials",
          contentType: "text/plain",
          authorization: basic(key.publicKey, key.privateKey),
        }),
      ],
      ["no grant_type", () => ({ form: {}, authorization: basic(key.publicKey, key.privateKey) })],
      [
        "an empty grant_type",
        () => ({
          form: "grant_type=",
          authorization: basic(key.publicKey, key.privateKey),
        }),
      ],
      [
        "grant_type twice",
        () => ({
          form: "grant_type=client_credentials&grant_type=client_credentials",
          authorization: basic(key.publicKey, key.privateKey),
        }),
      ],
      [
        "client_id twice",
        () => ({
          form: `grant_type=client_credentials&client_id=${key.publicKey}&client_id=${key.publicKey}&client_secret=${key.privateKey}`,
        }),
      ],
      [
        "HTTP Basic and client_secret both",
        () => ({
          form: { ...GRANT, client_id: key.publicKey, client_secret: key.privateKey },
          authorization: basic(key.publicKey, key.privateKey),
        }),
      ],
      [
        "a client_id that differs from HTTP Basic's",
        () => ({
          form: { ...GRANT, client_id: "abcdefgh" },
          authorization: basic(key.publicKey, key.privateKey),
        }),
      ],
      [
        "client_secret without client_id",
        () => ({
          form: { ...GRANT, client_secret: key.privateKey },
        }),
      ],
    ];
    for (const [name, options] of cases) {
      it(`for ${name}`, async () => assertError(await token(options()), 400, "invalid_request"));
    }

    it("names a repeated parameter only when it is one keyfob reads", async () => {
      const named = await token({ form: "grant_type=a&grant_type=b" });
      assert.match(named.json!.error_description as string, /grant_type/);
      const unnamed = await token({ form: "grant_type=client_credentials&<x>=1&<x>=2" });
      assertError(unnamed, 400, "invalid_request");
      assert.ok(!unnamed.text.includes("<x>"), "echoes nothing it does not know");
    });

    it("for a body over the limit (413)", async () => {
      const response = await token({
        form: `grant_type=client_credentials&pad=${"x".repeat(200_000)}`,
        authorization: basic(key.publicKey, key.privateKey),
      });
      assertError(response, 413, "invalid_request");
    });
  });

  describe("invalid_client (401 with WWW-Authenticate: Basic)", () => {
    const cases: [string, () => OAuthRequest][] = [
      [
        "a wrong private key over Basic",
        () => ({
          form: GRANT,
          authorization: basic(key.publicKey, randomUUID()),
        }),
      ],
      [
        "a wrong private key in the body",
        () => ({
          form: { ...GRANT, client_id: key.publicKey, client_secret: randomUUID() },
        }),
      ],
      [
        "an unknown public key",
        () => ({ form: GRANT, authorization: basic("zzzzzzzz", randomUUID()) }),
      ],
      ["a malformed Basic credential", () => ({ form: GRANT, authorization: "Basic %%%" })],
      ["no client authentication", () => ({ form: GRANT })],
      ["client_id without client_secret", () => ({ form: { ...GRANT, client_id: key.publicKey } })],
      ["another scheme", () => ({ form: GRANT, authorization: "Bearer kfa_whatever" })],
    ];
    for (const [name, options] of cases) {
      it(`for ${name}`, async () => assertError(await token(options()), 401, "invalid_client"));
    }

    it("says the same for a wrong private key and an unknown public key", async () => {
      const wrong = await token({ form: GRANT, authorization: basic(key.publicKey, randomUUID()) });
      const unknown = await token({ form: GRANT, authorization: basic("qqqqqqqq", randomUUID()) });
      assert.equal(wrong.text, unknown.text);
    });

    it("for a disabled key, saying so, and issues again once it is enabled", async () => {
      const disabled = await org.apiKey();
      await disabled.update({ enabled: false });
      const response = await token({
        form: GRANT,
        authorization: basic(disabled.publicKey, disabled.privateKey),
      });
      assertError(response, 401, "invalid_client");
      assert.match(response.json!.error_description as string, /disabled/);
      await disabled.update({ enabled: true });
      const again = await token({
        form: GRANT,
        authorization: basic(disabled.publicKey, disabled.privateKey),
      });
      assert.equal(again.status, 200);
    });

    it("for an expired key, saying so", async () => {
      const expiring = await org.apiKey({ expiresAt: new Date(Date.now() + 1_000).toISOString() });
      await sleep(1_100);
      const response = await token({
        form: GRANT,
        authorization: basic(expiring.publicKey, expiring.privateKey),
      });
      assertError(response, 401, "invalid_client");
      assert.match(response.json!.error_description as string, /expired/);
    });

    it("for a secret rotated out", async () => {
      const rotating = await org.apiKey();
      await rotating.rotate({ gracePeriodSeconds: 0 });
      const response = await token({
        form: GRANT,
        authorization: basic(rotating.publicKey, rotating.privateKey),
      });
      assertError(response, 401, "invalid_client");
    });
  });

  describe("unsupported_grant_type and invalid_scope (400)", () => {
    for (const grant of ["password", "authorization_code", "refresh_token", "CLIENT_CREDENTIALS"]) {
      it(`grant_type=${grant} is unsupported`, async () => {
        const response = await token({
          form: { grant_type: grant },
          authorization: basic(key.publicKey, key.privateKey),
        });
        assertError(response, 400, "unsupported_grant_type");
      });
    }

    it("any scope is invalid: keys have no scopes", async () => {
      for (const scope of ["read", "openid", " "]) {
        const response = await token({
          form: { ...GRANT, scope },
          authorization: basic(key.publicKey, key.privateKey),
        });
        assertError(response, 400, "invalid_scope");
      }
    });
  });

  describe("the key's access list and the brute-force limit", () => {
    it("refuses a client outside the key's access list with 403 access_denied, naming the address", async () => {
      const listed = await org.apiKey({ accessList: [{ ipAddress: "127.0.0.1" }] });
      const outside = await token({
        form: GRANT,
        authorization: basic(listed.publicKey, listed.privateKey),
        localAddress: "127.0.0.40",
      });
      assertError(outside, 403, "access_denied");
      assert.match(outside.json!.error_description as string, /127\.0\.0\.40/);
      const inside = await token({
        form: GRANT,
        authorization: basic(listed.publicKey, listed.privateKey),
      });
      assert.equal(inside.status, 200);
    });

    it("refuses a key with no access list while its organization requires one", async () => {
      const bare = await org.apiKey({ accessList: [] });
      const response = await token({
        form: GRANT,
        authorization: basic(bare.publicKey, bare.privateKey),
      });
      assertError(response, 403, "access_denied");
    });

    it("answers 429 with Retry-After once 10 failures for a public key are spent, even to the right secret, and counts them with Basic's", async () => {
      const guessed = await org.apiKey();
      const from = { localAddress: "127.0.0.61" };
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await token({
          ...from,
          form: GRANT,
          authorization: basic(guessed.publicKey, randomUUID()),
        });
        statuses.push(response.status);
      }
      // Failures over Basic on /graphql count toward the same limit.
      const wrong = guessed.withPrivateKey(randomUUID());
      for (let i = 0; i < 6; i++) {
        statuses.push((await wrong.client.raw(`{ __typename }`, {}, from)).status);
      }
      const throttled = await token({
        ...from,
        form: GRANT,
        authorization: basic(guessed.publicKey, guessed.privateKey),
      });
      assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
      assertError(throttled, 429, "temporarily_unavailable");
      assert.ok(Number(throttled.headers["retry-after"]) > 0, "Retry-After in seconds");
      const body = await token({
        ...from,
        form: { ...GRANT, client_id: guessed.publicKey, client_secret: guessed.privateKey },
      });
      assertError(body, 429, "temporarily_unavailable");
    });
  });

  describe("the token's lifetime", () => {
    it("never runs past the key's expiry", async () => {
      const expiring = await org.apiKey({
        expiresAt: new Date(Date.now() + 120_000).toISOString(),
      });
      const response = await token({
        form: GRANT,
        authorization: basic(expiring.publicKey, expiring.privateKey),
      });
      const expiresIn = response.json!.expires_in as number;
      assert.ok(expiresIn <= 120 && expiresIn >= 115, `expires_in ${expiresIn}`);
    });

    it("never runs past the end of its secret's grace period; the new secret's gets the full hour", async () => {
      const rotating = await org.apiKey();
      const rotated = await rotating.rotate({ gracePeriodSeconds: 300 });
      const old = await token({
        form: GRANT,
        authorization: basic(rotating.publicKey, rotating.privateKey),
      });
      const expiresIn = old.json!.expires_in as number;
      assert.ok(expiresIn <= 300 && expiresIn >= 295, `expires_in ${expiresIn}`);
      const fresh = await token({
        form: GRANT,
        authorization: basic(rotated.publicKey, rotated.privateKey),
      });
      assert.equal(fresh.json!.expires_in, 3600);
    });

    it("follows OAUTH_TOKEN_TTL_SECONDS", async () => {
      const short = await startTestService({ OAUTH_TOKEN_TTL_SECONDS: "600" });
      try {
        const response = await oauthPost(short.url, "/oauth/token", {
          form: GRANT,
          authorization: basic(key.publicKey, key.privateKey),
        });
        assert.equal(response.json!.expires_in, 600);
      } finally {
        await short.stop();
      }
    });
  });

  it("is POST only", async () => {
    const response = await request(`${service.url}/oauth/token?grant_type=client_credentials`);
    assert.equal(response.status, 404);
  });
});

describe("GET /.well-known/oauth-authorization-server (RFC 8414)", () => {
  let service: TestService;
  let behindProxy: TestService;
  let configured: TestService;
  before(async () => {
    [service, behindProxy, configured] = await Promise.all([
      startTestService(),
      startTestService({ TRUST_PROXY: "127.0.0.1" }),
      startTestService({ PUBLIC_URL: "https://keyfob.example.com/" }),
    ]);
  });
  after(() => Promise.all([service.stop(), behindProxy.stop(), configured.stop()]));

  const metadata = async (url: string, headers: Record<string, string> = {}) => {
    const response = await request(`${url}/.well-known/oauth-authorization-server`, { headers });
    assert.equal(response.status, 200, response.text);
    assert.match(String(response.headers["content-type"]), /^application\/json/);
    return JSON.parse(response.text);
  };

  it("names the token and revocation endpoints, the grant and the client authentication methods", async () => {
    const { port } = new URL(service.url);
    assert.deepEqual(await metadata(service.url, { host: `localhost:${port}` }), {
      issuer: `http://localhost:${port}`,
      token_endpoint: `http://localhost:${port}/oauth/token`,
      revocation_endpoint: `http://localhost:${port}/oauth/revoke`,
      grant_types_supported: ["client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      response_types_supported: [],
    });
  });

  it("takes the scheme and host from a trusted proxy, or PUBLIC_URL", async () => {
    const proxied = await metadata(behindProxy.url, {
      host: "api.example.com",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "api.example.com",
    });
    assert.equal(proxied.token_endpoint, "https://api.example.com/oauth/token");
    const fixed = await metadata(configured.url, { host: "evil.example" });
    assert.equal(fixed.issuer, "https://keyfob.example.com");
    assert.equal(fixed.revocation_endpoint, "https://keyfob.example.com/oauth/revoke");
  });

  it("ignores X-Forwarded-Proto from a peer that is not a trusted proxy", async () => {
    const { port } = new URL(service.url);
    const answer = await metadata(service.url, {
      host: `127.0.0.1:${port}`,
      "x-forwarded-proto": "https",
    });
    assert.equal(answer.issuer, `http://127.0.0.1:${port}`);
  });
});
