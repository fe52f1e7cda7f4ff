import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertNoLeak } from "./support/leaks";
import { request, type RequestOptions } from "./support/http";
import { Seed, type KeyFixture, type OrganizationFixture, type UserActor } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

interface BadInput {
  name: string;
  request: () => RequestOptions & { path?: string };
  /** A well-formed request with hostile content: answered normally (e.g. null), not refused. */
  answered?: true;
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestOptions => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

const nested = (depth: number) =>
  "{ viewer { ... on User { " +
  "organizations { edges { node { organization { ".repeat(depth) +
  "id" +
  " } } } }".repeat(depth) +
  " } } }";

/**
 * Hostile and malformed requests: each must get a 4xx or a GraphQL error (never a 500), leak
 * nothing, and leave the service ready.
 */
describe("hostile input", () => {
  let service: TestService;
  let owner: UserActor;
  let org: OrganizationFixture;
  let key: KeyFixture;
  before(async () => {
    service = await startTestService();
    owner = await new Seed(service.client).user();
    org = await owner.organization();
    key = await org.apiKey({ roles: ["ORG_OWNER"] });
  });
  after(() => service.stop());

  const bearer = () => ({ authorization: `Bearer ${owner.token}` });
  const badInputs: BadInput[] = [
    { name: "depth 12", request: () => json({ query: nested(4) }, bearer()) },
    {
      name: "16 aliases of __typename",
      request: () =>
        json({
          query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: __typename`).join(" ")} }`,
        }),
    },
    {
      name: "6 directives",
      request: () => json({ query: `{ __typename ${"@include(if: true) ".repeat(6)}}` }),
    },
    { name: "1,100 tokens", request: () => json({ query: `{ ${"__typename ".repeat(1100)}}` }) },
    {
      name: "cost 1,000,000",
      request: () =>
        json(
          {
            query: `{ organizations(first: 100) { edges { node { projects(first: 100) { edges { node { members(first: 100) { totalCount } } } } } } } }`,
          },
          bearer(),
        ),
    },
    {
      name: "20 unknown fields",
      request: () =>
        json({ query: `{ ${Array.from({ length: 20 }, (_, i) => `nope${i}`).join(" ")} }` }),
    },
    { name: "syntax error", request: () => json({ query: "{ viewer { " }) },
    { name: "empty query", request: () => json({ query: "" }) },
    { name: "no query", request: () => json({ variables: {} }) },
    { name: "query is a number", request: () => json({ query: 42 }) },
    { name: "invalid JSON", request: () => json('{ "query": ') },
    {
      name: "JSON array batch",
      request: () => json([{ query: "{ __typename }" }, { query: "{ __typename }" }]),
    },
    {
      name: "200 kB body",
      request: () => json({ query: "{ __typename }", padding: "x".repeat(200_000) }),
    },
    {
      name: "form-encoded POST",
      request: () => ({
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "query=%7B__typename%7D",
      }),
    },
    {
      name: "text/plain POST (CSRF)",
      request: () => ({
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: '{"query":"{ __typename }"}',
      }),
    },
    {
      name: "mutation over GET",
      request: () => ({
        path: "/graphql?query=mutation%7BlogOut%7Bok%7D%7D",
        headers: { "apollo-require-preflight": "1" },
      }),
    },
    {
      name: "GET without preflight (CSRF)",
      request: () => ({ path: "/graphql?query=%7B__typename%7D" }),
    },
    {
      name: "fragment cycle",
      request: () =>
        json({ query: "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }" }),
    },
    {
      name: "two logIns in one request",
      request: () =>
        json({
          query: `mutation { a: logIn(input: { email: "a@b.c", password: "x" }) { token } b: logIn(input: { email: "a@b.c", password: "y" }) { token } }`,
        }),
    },
    {
      name: "unknown operation name",
      request: () => json({ query: "query A { __typename }", operationName: "B" }),
    },
    {
      name: "two operations, no name",
      request: () => json({ query: "query A { __typename } query B { __typename }" }),
    },
    {
      name: "variable of the wrong type",
      request: () =>
        json(
          {
            query: "query ($id: ID!) { organization(id: $id) { id } }",
            variables: { id: { $ne: null } },
          },
          bearer(),
        ),
    },
    {
      name: "enum value that does not exist",
      request: () =>
        json(
          {
            query: `mutation ($input: CreateOrganizationApiKeyInput!) { createOrganizationApiKey(input: $input) { apiKey { id } } }`,
            variables: { input: { organizationId: org.id, description: "x", roles: ["ROOT"] } },
          },
          bearer(),
        ),
    },
    {
      name: "null for a non-null input",
      request: () =>
        json({
          query: "mutation ($input: SignUpInput!) { signUp(input: $input) { token } }",
          variables: { input: null },
        }),
    },
    {
      name: "password as a number",
      request: () =>
        json({
          query: "mutation ($input: SignUpInput!) { signUp(input: $input) { token } }",
          variables: { input: { email: "n@example.test", password: 12345678901, name: "N" } },
        }),
    },
    {
      name: "first: 0",
      request: () => json({ query: "{ organizations(first: 0) { totalCount } }" }, bearer()),
    },
    {
      name: "first: 1,000,000",
      request: () => json({ query: "{ organizations(first: 1000000) { totalCount } }" }, bearer()),
    },
    {
      name: "forged cursor",
      request: () =>
        json({ query: `{ organizations(after: "MXwtLS0t") { totalCount } }` }, bearer()),
    },
    {
      name: "garbage global id",
      answered: true,
      request: () => json({ query: `{ node(id: "' OR 1=1 --") { id } }` }, bearer()),
    },
    {
      name: "90 kB string id",
      answered: true,
      request: () =>
        json(
          {
            query: "query ($id: ID!) { node(id: $id) { id } }",
            variables: { id: "A".repeat(90_000) },
          },
          bearer(),
        ),
    },
    {
      name: "SQL in a name",
      answered: true,
      request: () =>
        json(
          {
            query: `mutation ($input: CreateProjectInput!) { createProject(input: $input) { project { name } userErrors { code } } }`,
            variables: { input: { organizationId: org.id, name: "'; DROP TABLE projects; --" } },
          },
          bearer(),
        ),
    },
    {
      name: "a block with host bits and a zone id",
      request: () =>
        json(
          {
            query: `mutation ($input: AddApiKeyAccessListEntriesInput!) { addApiKeyAccessListEntries(input: $input) { userErrors { code } } }`,
            variables: {
              input: {
                apiKeyId: key.id,
                entries: [{ cidrBlock: "10.0.0.1/8" }, { ipAddress: "fe80::1%eth0" }],
              },
            },
          },
          bearer(),
        ),
    },
    {
      name: "Basic with no colon",
      request: () =>
        json(
          { query: "{ __typename }" },
          { authorization: "Basic " + Buffer.from("abcdefgh").toString("base64") },
        ),
    },
    {
      name: "Basic with binary garbage",
      request: () => json({ query: "{ __typename }" }, { authorization: "Basic //79/Pv6" }),
    },
    {
      name: "Bearer with 4 kB token",
      request: () =>
        json({ query: "{ __typename }" }, { authorization: "Bearer " + "k".repeat(4096) }),
    },
    {
      name: "unknown scheme",
      request: () => json({ query: "{ __typename }" }, { authorization: "Digest username=x" }),
    },
    { name: "unknown path", request: () => ({ path: "/graphql/../../etc/passwd" }) },
    {
      name: "unsupported method",
      request: () => ({ method: "DELETE" as never, path: "/graphql" }),
    },
  ];

  it(`answers each of ${badInputs.length} bad inputs with a 4xx or a GraphQL error, then is still ready`, async (t) => {
    let tried = 0;
    for (const input of badInputs) {
      const { path = "/graphql", ...options } = input.request();
      const response = await request(`${service.url}${path}`, options);
      tried++;
      assert.ok(
        response.status < 500,
        `${input.name}: HTTP ${response.status} ${response.text.slice(0, 200)}`,
      );
      const isGraphQLError =
        response.status === 200 && /"errors":\[|"userErrors":\[\{/.test(response.text);
      assert.ok(
        response.status >= 400 || isGraphQLError || (input.answered && response.status === 200),
        `${input.name}: expected a 4xx or a GraphQL error, got ${response.status} ${response.text.slice(0, 200)}`,
      );
      assert.doesNotMatch(response.text, /INTERNAL_SERVER_ERROR/, input.name);
      assertNoLeak(response.text);
    }
    const ready = await request(`${service.url}/readyz`);
    assert.equal(ready.status, 200);
    const { projects } = (
      await owner.client.query(
        `query ($id: ID!) { organization(id: $id) { projects { totalCount } } }`,
        { id: org.id },
      )
    ).organization;
    assert.equal(projects.totalCount, 1, "only the harmless SQL-looking name became a project");
    t.diagnostic(`bad inputs tried: ${tried}, all refused cleanly; /readyz 200 afterwards`);
    console.log(
      `hostile input: ${tried} bad inputs tried, every one answered with a 4xx or a GraphQL error`,
    );
  });
});
