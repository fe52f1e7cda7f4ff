import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MARKER } from "./support/fuzz/hostile-values";
import { Seed, type OrganizationFixture, type UserActor } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const CREATE_KEY = `mutation ($input: CreateOrganizationApiKeyInput!) {
  createOrganizationApiKey(input: $input) { apiKey { id } userErrors { code field message } } }`;
const CREATE_PROJECT_KEY = `mutation ($input: CreateProjectApiKeyInput!) {
  createProjectApiKey(input: $input) { apiKey { id } userErrors { code field message } } }`;
const KEY_COUNT = `query ($id: ID!) { organization(id: $id) { apiKeys { totalCount } } }`;

/**
 * Values that do not fit their types: one clean BAD_USER_INPUT (HTTP 400) built from the schema
 * and the value's shape, never graphql-js's own message (it quotes the value), cheap however big
 * the value; and the access-list rule an explicitly empty list breaks.
 */
describe("values that do not fit their types", () => {
  let service: TestService;
  let owner: UserActor;
  let org: OrganizationFixture;
  before(async () => {
    service = await startTestService();
    owner = await new Seed(service.client).user();
    org = await owner.organization();
  });
  after(() => service.stop());

  const keyInput = (roles: unknown) => ({
    input: { organizationId: org.id, description: "key", roles },
  });

  it("answers a list of 1,000 nulls with BAD_USER_INPUT and HTTP 400, listing the first five", async () => {
    const result = await owner.client.raw(CREATE_KEY, keyInput(Array(1_000).fill(null)));
    assert.equal(result.status, 400);
    assert.equal(result.errors?.length, 1);
    assert.equal(result.errors![0].extensions?.code, "BAD_USER_INPUT");
    const message = result.errors![0].message;
    assert.match(
      message,
      /^Variable "\$input" got an invalid value at "input.roles\[0\]": expected one of the values of enum "OrganizationRole", got null;/,
    );
    assert.match(message, /"input.roles\[4\]".*; and more problems not listed\.$/);
  });

  it("never repeats a bad enum value, given as a variable in any form or as a literal", async () => {
    for (const roles of [[MARKER], MARKER, [{ [MARKER]: MARKER }], `ORG_OWNE`]) {
      const result = await owner.client.raw(CREATE_KEY, keyInput(roles));
      assert.equal(result.status, 400, result.text);
      assert.equal(result.text.includes(MARKER), false, result.text);
      assert.doesNotMatch(result.text, /Did you mean|ORG_OWNE\b/, "no echo, and no schema hints");
    }
    const literal = await owner.client.raw(
      `mutation { createOrganizationApiKey(input: { organizationId: "${org.id}", description: "k", roles: ["${MARKER}", ORG_OWNE] }) { apiKey { id } } }`,
    );
    assert.equal(literal.status, 400);
    assert.equal(literal.errors?.[0].extensions?.code, "GRAPHQL_VALIDATION_FAILED");
    assert.equal(literal.text.includes(MARKER), false, literal.text);
    assert.doesNotMatch(literal.text, /ORG_OWNE\b|Did you mean/, literal.text);
    assert.match(
      literal.errors![0].message,
      /^Invalid value at line 1, column \d+: expected one of the values of enum "OrganizationRole", got a string\.$/,
    );
  });

  it("refuses six big wrong values in flight at once within a few seconds", async () => {
    const cases = [
      keyInput(`${MARKER}${"A".repeat(90_000)}`),
      keyInput(Array.from({ length: 20_000 }, () => "x")),
      keyInput(Array.from({ length: 9_000 }, () => ({}))),
    ];
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => owner.client.raw(CREATE_KEY, cases[i % cases.length])),
    );
    const elapsed = Date.now() - started;
    for (const result of results) {
      assert.equal(result.status, 400, result.text.slice(0, 200));
      assert.ok(result.text.length < 2_000, "the answer stays small");
    }
    // Before the fix each such request took 1–4 s, and six in flight 10–22 s.
    assert.ok(elapsed < 5_000, `six requests took ${elapsed} ms`);
    console.log(`six big wrong values refused in ${elapsed} ms`);
  });

  describe("an explicitly empty access list", () => {
    it("is refused on input.accessList while the organization requires an access list, creating nothing", async () => {
      const project = await org.project();
      const before = (await owner.client.query(KEY_COUNT, { id: org.id })).organization.apiKeys
        .totalCount;
      for (const [query, input] of [
        [CREATE_KEY, { organizationId: org.id, roles: ["ORG_MEMBER"] }],
        [CREATE_PROJECT_KEY, { projectId: project.id, roles: ["GROUP_READ_ONLY"] }],
      ] as const) {
        const errors = await owner.client.userErrors(query, {
          input: { ...input, description: "empty", accessList: [] },
        });
        assert.deepEqual(
          errors.map((error) => [error.code, error.field]),
          [["INVALID_INPUT", ["input", "accessList"]]],
        );
        assert.match(errors[0].message, /requires an access list/);
      }
      const after = (await owner.client.query(KEY_COUNT, { id: org.id })).organization.apiKeys
        .totalCount;
      assert.equal(after, before);
    });

    it("is taken when the organization does not require one, and an absent list always is", async () => {
      await owner.client.mutate(CREATE_KEY, {
        input: { organizationId: org.id, description: "later", roles: ["ORG_MEMBER"] },
      });
      const open = await owner.organization();
      await open.setAccessListRequired(false);
      await owner.client.mutate(CREATE_KEY, {
        input: {
          organizationId: open.id,
          description: "open",
          roles: ["ORG_MEMBER"],
          accessList: [],
        },
      });
    });
  });
});
