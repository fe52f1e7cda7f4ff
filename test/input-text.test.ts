import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Seed, unique, type OrganizationFixture, type UserActor } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const CREATE_ORGANIZATION = `mutation ($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { organization { id name } userErrors { code field message } } }`;
const CREATE_PROJECT = `mutation ($input: CreateProjectInput!) {
  createProject(input: $input) { project { id name } userErrors { code field message } } }`;
const SIGN_UP = `mutation ($input: SignUpInput!) {
  signUp(input: $input) { user { id name } userErrors { code field message } } }`;
const CREATE_KEY = `mutation ($input: CreateOrganizationApiKeyInput!) {
  createOrganizationApiKey(input: $input) {
    apiKey { id description accessList { comment } } userErrors { code field message } } }`;
const UPDATE_KEY = `mutation ($input: UpdateOrganizationApiKeyInput!) {
  updateOrganizationApiKey(input: $input) { apiKey { id description } userErrors { code field message } } }`;
const ADD_MEMBER = `mutation ($input: AddOrganizationMemberInput!) {
  addOrganizationMember(input: $input) { membership { roles } userErrors { code field message } } }`;
const COUNTS = `query { organizations(first: 100) { totalCount } }`;

/** Display text that every name and description refuses, whatever the field. */
const REFUSED: [string, string, RegExp][] = [
  ["NUL", "Acme\u0000Corp", /NUL/],
  ["a lone surrogate", "Acme\uD800", /surrogate/],
  ["a right-to-left override", "Acme\u202Eproc", /bidirectional/],
  ["a bidirectional isolate", "\u2067Acme\u2069", /bidirectional/],
  ["a control character", "Acme\u0007", /control characters/],
  ["a line break inside", "Acme\nCorp", /one line/],
  ["only white space", " \t\u00A0\u3000 ", /must not be blank/],
  ["only zero-width characters", "\u200B\u200D", /must not be blank/],
];

/**
 * The text rules of src/graphql/text.ts, end to end: every string field refuses what it cannot
 * store as an INVALID_INPUT on its own path, names and descriptions refuse what would read
 * differently from what they hold, and what is stored is NFC-normalised and trimmed.
 */
describe("names, descriptions and other strings at the edge", () => {
  let service: TestService;
  let owner: UserActor;
  let org: OrganizationFixture;
  before(async () => {
    service = await startTestService();
    owner = await new Seed(service.client).user();
    org = await owner.organization();
  });
  after(() => service.stop());

  it("refuses a NUL in createOrganization's name on input.name and creates nothing", async () => {
    const before = (await owner.client.query(COUNTS)).organizations.totalCount;
    const errors = await owner.client.userErrors(CREATE_ORGANIZATION, {
      input: { name: "Acme\u0000" },
    });
    assert.deepEqual(errors, [
      {
        code: "INVALID_INPUT",
        field: ["input", "name"],
        message: "name must not contain the NUL character (U+0000)",
      },
    ]);
    assert.equal((await owner.client.query(COUNTS)).organizations.totalCount, before);
  });

  const fields: {
    name: string;
    call: (value: string) => [string, Record<string, unknown>];
    field: string[];
    /** The stored text, from the mutation's payload. */
    stored: (payload: any) => string;
  }[] = [
    {
      name: "an organization name",
      call: (name) => [CREATE_ORGANIZATION, { input: { name } }],
      field: ["input", "name"],
      stored: (payload) => payload.organization.name,
    },
    {
      name: "a project name",
      call: (name) => [CREATE_PROJECT, { input: { organizationId: org.id, name } }],
      field: ["input", "name"],
      stored: (payload) => payload.project.name,
    },
    {
      name: "a user name",
      call: (name) => [
        SIGN_UP,
        { input: { email: `${unique("u")}@example.test`, password: "password-123", name } },
      ],
      field: ["input", "name"],
      stored: (payload) => payload.user.name,
    },
    {
      name: "a key description",
      call: (description) => [
        CREATE_KEY,
        { input: { organizationId: org.id, description, roles: ["ORG_MEMBER"] } },
      ],
      field: ["input", "description"],
      stored: (payload) => payload.apiKey.description,
    },
    {
      name: "an access-list comment",
      call: (comment) => [
        CREATE_KEY,
        {
          input: {
            organizationId: org.id,
            description: "key",
            roles: ["ORG_MEMBER"],
            accessList: [{ cidrBlock: "192.0.2.0/24", comment }],
          },
        },
      ],
      field: ["input", "accessList", "0", "comment"],
      stored: (payload) => payload.apiKey.accessList[0].comment,
    },
  ];

  for (const { name, call, field, stored: storedOf } of fields) {
    it(`refuses ${name} with ${REFUSED.map(([what]) => what).join(", ")}, each on its own field`, async () => {
      for (const [what, value, message] of REFUSED) {
        const [query, variables] = call(value);
        const errors = await owner.client.userErrors(query, variables);
        assert.equal(errors.length, 1, `${what}: ${JSON.stringify(errors)}`);
        assert.equal(errors[0].code, "INVALID_INPUT", what);
        assert.deepEqual(errors[0].field, field, what);
        assert.match(errors[0].message, message, what);
      }
    });

    it(`stores ${name} NFC-normalised and trimmed, emoji and right-to-left scripts kept`, async () => {
      for (const [value, stored] of [
        ["  Cafe\u0301 \t", "Café"],
        ["🔑 שלום", "🔑 שלום"],
      ]) {
        const [query, variables] = call(value);
        assert.equal(storedOf(await owner.client.mutate(query, variables)), stored);
      }
    });
  }

  it("refuses a blank user name instead of storing an empty one", async () => {
    const email = `${unique("blank")}@example.test`;
    const errors = await service.client.userErrors(SIGN_UP, {
      input: { email, password: "password-123", name: "   " },
    });
    assert.deepEqual(
      errors.map((error) => [error.code, error.field]),
      [["INVALID_INPUT", ["input", "name"]]],
    );
    await service.client.mutate(SIGN_UP, { input: { email, password: "password-123", name: "B" } });
  });

  it("refuses an update that would set a description of white space", async () => {
    const key = await org.apiKey();
    const errors = await owner.client.userErrors(UPDATE_KEY, {
      input: { apiKeyId: key.id, description: " \u3000 " },
    });
    assert.deepEqual(errors[0].field, ["input", "description"]);
  });

  it("refuses email addresses with bidirectional controls, where a user signs up or is added", async () => {
    const email = `adm\u202Enimda-${unique("e")}@example.test`;
    const signUp = await service.client.userErrors(SIGN_UP, {
      input: { email, password: "password-123", name: "Mallory" },
    });
    assert.deepEqual(signUp[0].field, ["input", "email"]);
    const add = await owner.client.userErrors(ADD_MEMBER, {
      input: { organizationId: org.id, email, roles: ["ORG_MEMBER"] },
    });
    assert.deepEqual(add[0].field, ["input", "email"]);
  });

  it("refuses a NUL or a lone surrogate in any string: a password, an email, an id", async () => {
    const logIn = await service.client.userErrors(
      `mutation ($input: LogInInput!) { logIn(input: $input) { token userErrors { code field message } } }`,
      { input: { email: "a\u0000@example.test", password: "pass\uDC00word" } },
    );
    assert.deepEqual(
      logIn.map((error) => error.field),
      [
        ["input", "email"],
        ["input", "password"],
      ],
    );
    const byId = await owner.client.raw(`query ($id: ID!) { organization(id: $id) { id } }`, {
      id: "\u0000",
    });
    assert.equal(byId.status, 200);
    assert.equal(byId.errors?.[0].extensions?.code, "BAD_USER_INPUT");
    assert.equal(byId.errors?.[0].message, "id must not contain the NUL character (U+0000)");
  });

  it("refuses any string over 1,000 characters, even where no field limit applies", async () => {
    const result = await owner.client.raw(`query ($id: ID!) { node(id: $id) { id } }`, {
      id: "A".repeat(1_001),
    });
    assert.equal(result.errors?.[0].extensions?.code, "BAD_USER_INPUT");
    assert.match(result.errors?.[0].message ?? "", /at most 1000 characters/);
  });
});
