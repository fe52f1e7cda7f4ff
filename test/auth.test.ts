import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Seed, unique } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const SIGN_UP = `mutation ($input: SignUpInput!) {
  signUp(input: $input) { token user { id email name } userErrors { code field message } } }`;
const LOG_IN = `mutation ($input: LogInInput!) {
  logIn(input: $input) { token user { id email } userErrors { code field message } } }`;
const LOG_OUT = `mutation { logOut { ok } }`;
const VIEWER = `{ viewer { __typename ... on User { id email } } }`;

describe("users and sessions", () => {
  let service: TestService;
  let seed: Seed;
  before(async () => {
    service = await startTestService();
    seed = new Seed(service.client);
  });
  after(() => service.stop());

  describe("signUp", () => {
    it("creates a user and returns a bearer token that authenticates them", async () => {
      const email = `${unique("Signup")}@Example.test`;
      const payload = await service.client.mutate(SIGN_UP, {
        input: { email, password: "correct horse battery", name: "Ada" },
      });
      assert.match(payload.token, /^kfs_/);
      assert.equal(payload.user.email, email.toLowerCase());
      const data = await service.client.as({ kind: "bearer", token: payload.token }).query(VIEWER);
      assert.deepEqual(data.viewer, {
        __typename: "User",
        id: payload.user.id,
        email: email.toLowerCase(),
      });
    });

    it("refuses an email that is taken, whatever its case", async () => {
      const user = await seed.user();
      const errors = await service.client.userErrors(SIGN_UP, {
        input: { email: user.email.toUpperCase(), password: "another password", name: "Twin" },
      });
      assert.deepEqual(
        errors.map((e) => [e.code, e.field]),
        [["ALREADY_EXISTS", ["input", "email"]]],
      );
    });

    it("reports every invalid field at once, without echoing the values", async () => {
      const errors = await service.client.userErrors(SIGN_UP, {
        input: { email: "not-an-email", password: "short", name: "" },
      });
      assert.deepEqual(errors.map((e) => [e.code, e.field?.join(".")]).sort(), [
        ["INVALID_INPUT", "input.email"],
        ["INVALID_INPUT", "input.name"],
        ["INVALID_INPUT", "input.password"],
      ]);
      assert.ok(!JSON.stringify(errors).includes("short"));
      assert.ok(!JSON.stringify(errors).includes("not-an-email"));
    });
  });

  describe("logIn", () => {
    it("issues a new token for the right email and password", async () => {
      const user = await seed.user();
      const payload = await service.client.mutate(LOG_IN, {
        input: { email: user.email.toUpperCase(), password: user.password },
      });
      assert.equal(payload.user.id, user.id);
      assert.notEqual(payload.token, user.token);
    });

    it("answers a wrong password and an unknown email identically", async () => {
      const user = await seed.user();
      const wrongPassword = await service.client.userErrors(LOG_IN, {
        input: { email: user.email, password: "not the password" },
      });
      const unknownEmail = await service.client.userErrors(LOG_IN, {
        input: { email: `${unique("nobody")}@example.test`, password: "not the password" },
      });
      assert.deepEqual(wrongPassword, unknownEmail);
      assert.equal(wrongPassword[0].code, "INVALID_CREDENTIALS");
    });
  });

  describe("logOut", () => {
    it("revokes the token: the next request with it is refused with 401", async () => {
      const user = await seed.user();
      assert.deepEqual(await user.client.mutate(LOG_OUT), { ok: true });
      const result = await user.client.raw(VIEWER);
      assert.equal(result.status, 401);
      assert.equal(result.errors?.[0].extensions?.code, "UNAUTHENTICATED");
    });

    it("needs a signed-in user", async () => {
      assert.equal(await service.client.errorCode(LOG_OUT), "UNAUTHENTICATED");
    });
  });

  describe("the Authorization header", () => {
    it("no header is an anonymous caller: viewer is null", async () => {
      assert.deepEqual(await service.client.query(VIEWER), { viewer: null });
    });

    for (const [what, header] of [
      ["a malformed bearer token", "Bearer not-a-token"],
      ["an unknown bearer token", `Bearer kfs_${"A".repeat(43)}`],
      ["an unsupported scheme", "Token abc"],
      ["a malformed Basic header", "Basic !!!"],
    ]) {
      it(`${what} gets HTTP 401 UNAUTHENTICATED, not an anonymous answer`, async () => {
        const result = await service.client.raw(VIEWER, {}, { headers: { authorization: header } });
        assert.equal(result.status, 401);
        assert.equal(result.errors?.[0].extensions?.code, "UNAUTHENTICATED");
        assert.equal(result.data, undefined);
        assert.ok(result.headers["www-authenticate"]);
      });
    }
  });
});
