import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  gql,
  type ObservableQuery,
} from "@apollo/client";
import { ClientError, GraphQLClient } from "graphql-request";
import { assertNoLeak, registerSecret } from "./support/leaks";
import { unique } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

/**
 * The service as real clients use it: graphql-request, as an internal tool would, and Apollo
 * Client (core, no React), as a frontend would. Both speak to the running service over Node's
 * own fetch, which a wrapper watches for leaks like every other response in the suite.
 *
 * Both libraries load with a plain `require` from this compiled CommonJS file: graphql-request 7
 * ships `build/entrypoints/main.cjs` behind its `require` export condition, and Apollo Client 4
 * ships `__cjs/` builds the same way, so no dynamic `import()` is needed.
 */

function basic(publicKey: string, privateKey: string): string {
  return `Basic ${Buffer.from(`${publicKey}:${privateKey}`).toString("base64")}`;
}

function credentials() {
  const name = unique("client");
  const password = `pw-${randomBytes(12).toString("hex")}`;
  registerSecret(password);
  return { email: `${name}@example.test`, password, name };
}

/** Node's fetch, counting requests and checking each response for leaked secrets. */
function watchedFetch() {
  const counter = { requests: 0 };
  const wrapped: typeof fetch = async (input, init) => {
    counter.requests++;
    const response = await fetch(input, init);
    const text = await response.clone().text();
    const issued = [...text.matchAll(/"(token|privateKey)":"([^"]+)"/g)].map((match) => match[2]);
    assertNoLeak(text, issued);
    issued.forEach(registerSecret);
    return response;
  };
  return { fetch: wrapped, counter };
}

describe("graphql-request, as an internal tool", () => {
  let service: TestService;
  let endpoint: string;
  const { fetch: checkedFetch } = watchedFetch();
  before(async () => {
    service = await startTestService();
    endpoint = `${service.url}/graphql`;
  });
  after(() => service.stop());

  const SIGN_UP = `mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { token user { id } userErrors { code field message } } }`;
  const LOG_IN = `mutation LogIn($input: LogInInput!) {
    logIn(input: $input) { token user { id email } userErrors { code field message } } }`;
  const CREATE_ORGANIZATION = `mutation CreateOrganization($input: CreateOrganizationInput!) {
    createOrganization(input: $input) { organization { id name } userErrors { code field message } } }`;
  const CREATE_KEY = `mutation CreateOrganizationApiKey($input: CreateOrganizationApiKeyInput!) {
    createOrganizationApiKey(input: $input) {
      apiKey { id publicKey roles accessList { cidrBlock } }
      privateKey
      userErrors { code field message } } }`;
  const VIEWER = `query Viewer { viewer { __typename ... on ApiKey { id organization { id name } } } }`;
  const CREATE_PROJECT = `mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) { project { id name organization { id } } userErrors { code field message } } }`;
  const ORGANIZATIONS = `query Organizations { organizations { totalCount edges { node { id projects { totalCount } } } } }`;

  interface Flow {
    organization: { id: string; name: string };
    apiKey: { id: string; publicKey: string; roles: string[]; accessList: { cidrBlock: string }[] };
    privateKey: string;
  }
  let flow: Flow;

  it("signs up, signs in, creates an organization and a key with an access list", async () => {
    const anonymous = new GraphQLClient(endpoint, { fetch: checkedFetch });
    const user = credentials();
    const signedUp = await anonymous.request<{ signUp: any }>(SIGN_UP, { input: user });
    assert.deepEqual(signedUp.signUp.userErrors, []);
    const loggedIn = await anonymous.request<{ logIn: any }>(LOG_IN, {
      input: { email: user.email, password: user.password },
    });
    assert.deepEqual(loggedIn.logIn.userErrors, []);
    assert.equal(loggedIn.logIn.user.id, signedUp.signUp.user.id);

    const person = new GraphQLClient(endpoint, {
      fetch: checkedFetch,
      headers: { authorization: `Bearer ${loggedIn.logIn.token}` },
    });
    const created = await person.request<{ createOrganization: any }>(CREATE_ORGANIZATION, {
      input: { name: unique("Tools") },
    });
    assert.deepEqual(created.createOrganization.userErrors, []);
    const key = await person.request<{ createOrganizationApiKey: any }>(CREATE_KEY, {
      input: {
        organizationId: created.createOrganization.organization.id,
        description: "nightly report job",
        roles: ["ORG_MEMBER", "ORG_GROUP_CREATOR"],
        accessList: [{ cidrBlock: "127.0.0.0/8", comment: "this host" }],
      },
    });
    assert.deepEqual(key.createOrganizationApiKey.userErrors, []);
    assert.deepEqual(key.createOrganizationApiKey.apiKey.accessList, [
      { cidrBlock: "127.0.0.0/8" },
    ]);
    flow = {
      organization: created.createOrganization.organization,
      apiKey: key.createOrganizationApiKey.apiKey,
      privateKey: key.createOrganizationApiKey.privateKey,
    };
  });

  it("calls with the key as HTTP Basic credentials", async () => {
    const tool = new GraphQLClient(endpoint, {
      fetch: checkedFetch,
      headers: { authorization: basic(flow.apiKey.publicKey, flow.privateKey) },
    });
    const viewer = await tool.request<{ viewer: any }>(VIEWER);
    assert.deepEqual(viewer.viewer, {
      __typename: "ApiKey",
      id: flow.apiKey.id,
      organization: flow.organization,
    });
    const project = await tool.request<{ createProject: any }>(CREATE_PROJECT, {
      input: { organizationId: flow.organization.id, name: unique("report") },
    });
    assert.deepEqual(project.createProject.userErrors, []);
    assert.equal(project.createProject.project.organization.id, flow.organization.id);
    const organizations = await tool.request<{ organizations: any }>(ORGANIZATIONS);
    assert.deepEqual(organizations.organizations, {
      totalCount: 1,
      edges: [{ node: { id: flow.organization.id, projects: { totalCount: 1 } } }],
    });
  });

  it("surfaces refusals as a ClientError with the HTTP status and the error code", async () => {
    const wrongKey = new GraphQLClient(endpoint, {
      fetch: checkedFetch,
      headers: { authorization: basic(flow.apiKey.publicKey, `${flow.privateKey.slice(0, -1)}x`) },
    });
    const unauthenticated = await wrongKey.request(VIEWER).then(
      () => assert.fail("a wrong private key must be refused"),
      (error: unknown) => error,
    );
    assert.ok(unauthenticated instanceof ClientError, String(unauthenticated));
    assert.equal(unauthenticated.response.status, 401);
    assert.equal(unauthenticated.response.errors?.[0].extensions?.code, "UNAUTHENTICATED");

    const tool = new GraphQLClient(endpoint, {
      fetch: checkedFetch,
      headers: { authorization: basic(flow.apiKey.publicKey, flow.privateKey) },
    });
    const forbidden = await tool
      .request(CREATE_ORGANIZATION, { input: { name: unique("nope") } })
      .then(
        () => assert.fail("an API key cannot create an organization"),
        (error: unknown) => error,
      );
    assert.ok(forbidden instanceof ClientError, String(forbidden));
    assert.equal(forbidden.response.errors?.[0].extensions?.code, "FORBIDDEN");
  });
});

const ORGANIZATION = gql`
  query OrganizationSettings($id: ID!) {
    organization(id: $id) {
      id
      name
      viewerRoles
      apiAccessListRequired
    }
  }
`;
const UPDATE_SETTINGS = gql`
  mutation UpdateOrganizationSettings($input: UpdateOrganizationSettingsInput!) {
    updateOrganizationSettings(input: $input) {
      organization {
        id
        apiAccessListRequired
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;

interface OrganizationData {
  organization: {
    __typename: "Organization";
    id: string;
    name: string;
    viewerRoles: string[];
    apiAccessListRequired: boolean;
  } | null;
}

/** Resolves with the first value the query emits (now or later) that satisfies `accept`. */
function emitted<T>(
  query: ObservableQuery<T>,
  accept: (result: ObservableQuery.Result<T>) => boolean,
): { value: Promise<ObservableQuery.Result<T>>; stop(): void } {
  let resolve!: (result: ObservableQuery.Result<T>) => void;
  let reject!: (error: unknown) => void;
  const value = new Promise<ObservableQuery.Result<T>>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const subscription = query.subscribe({
    next: (result) => {
      if (accept(result)) resolve(result);
    },
    error: reject,
  });
  return { value, stop: () => subscription.unsubscribe() };
}

describe("Apollo Client (core), as a frontend", () => {
  let service: TestService;
  let endpoint: string;
  before(async () => {
    service = await startTestService();
    endpoint = `${service.url}/graphql`;
  });
  after(() => service.stop());

  /** What a frontend builds: one client, a link that adds the signed-in user's token. */
  function frontend(authorization: () => string | undefined) {
    const watched = watchedFetch();
    const auth = new ApolloLink((operation, forward) => {
      const value = authorization();
      if (value) {
        operation.setContext(({ headers }: { headers?: Record<string, string> }) => ({
          headers: { ...headers, authorization: value },
        }));
      }
      return forward(operation);
    });
    const cache = new InMemoryCache({
      possibleTypes: {
        Node: ["User", "Organization", "Project", "ApiKey"],
        Principal: ["User", "ApiKey"],
      },
      // `organization(id:)` names an entity the cache may already hold: read it from there.
      typePolicies: {
        Query: {
          fields: {
            organization: (existing, { args, toReference }) =>
              existing ?? toReference({ __typename: "Organization", id: args?.id }),
          },
        },
      },
    });
    const client = new ApolloClient({
      link: auth.concat(new HttpLink({ uri: endpoint, fetch: watched.fetch })),
      cache,
    });
    return { client, cache, counter: watched.counter };
  }

  it("normalises by the Relay id: a mutation's answer updates an earlier query in the cache", async () => {
    let token: string | undefined;
    const { client, cache, counter } = frontend(() => token && `Bearer ${token}`);
    try {
      const user = credentials();
      await client.mutate({
        mutation: gql`
          mutation SignUp($input: SignUpInput!) {
            signUp(input: $input) {
              token
              userErrors {
                code
              }
            }
          }
        `,
        variables: { input: user },
      });
      const { data: login } = await client.mutate<{ logIn: { token: string; userErrors: [] } }>({
        mutation: gql`
          mutation LogIn($input: LogInInput!) {
            logIn(input: $input) {
              token
              user {
                id
                email
              }
              userErrors {
                code
              }
            }
          }
        `,
        variables: { input: { email: user.email, password: user.password } },
      });
      assert.deepEqual(login?.logIn.userErrors, []);
      token = login!.logIn.token;

      const { data: created } = await client.mutate<{
        createOrganization: { organization: { id: string }; userErrors: [] };
      }>({
        mutation: gql`
          mutation CreateOrganization($input: CreateOrganizationInput!) {
            createOrganization(input: $input) {
              organization {
                id
                name
              }
              userErrors {
                code
              }
            }
          }
        `,
        variables: { input: { name: unique("Frontend") } },
      });
      const id = created!.createOrganization.organization.id;
      assert.equal(cache.identify({ __typename: "Organization", id }), `Organization:${id}`);

      // A settings page watches its organization.
      const watch = client.watchQuery<OrganizationData>({
        query: ORGANIZATION,
        variables: { id },
      });
      const first = emitted(watch, (result) => result.dataState === "complete");
      const initial = await first.value;
      first.stop();
      assert.equal(initial.data?.organization?.id, id);
      assert.equal(initial.data?.organization?.apiAccessListRequired, true);
      assert.deepEqual(initial.data?.organization?.viewerRoles, ["ORG_OWNER"]);
      assert.ok(cache.extract()[`Organization:${id}`], "stored under Organization:<id>");

      // The mutation answers with the same organization (id + changed field) and nothing else;
      // the watched query follows without another request.
      const updated = emitted(
        watch,
        (result) => result.data?.organization?.apiAccessListRequired === false,
      );
      const before = counter.requests;
      const { data: update } = await client.mutate({
        mutation: UPDATE_SETTINGS,
        variables: { input: { organizationId: id, apiAccessListRequired: false } },
      });
      assert.deepEqual((update as any).updateOrganizationSettings.userErrors, []);
      const next = await updated.value;
      updated.stop();
      assert.equal(counter.requests, before + 1, "only the mutation went over the network");
      assert.equal(next.data?.organization?.apiAccessListRequired, false);
      assert.equal(next.data?.organization?.name, initial.data?.organization?.name);
      const cached = cache.readQuery<OrganizationData>({ query: ORGANIZATION, variables: { id } });
      assert.equal(cached?.organization?.apiAccessListRequired, false);
      assert.deepEqual(cached?.organization?.viewerRoles, ["ORG_OWNER"]);
    } finally {
      client.stop();
    }
  });

  it("signs in, creates a key, and calls with it as HTTP Basic credentials", async () => {
    let token: string | undefined;
    const person = frontend(() => token && `Bearer ${token}`);
    const user = credentials();
    try {
      const { data: signedUp } = await person.client.mutate<{ signUp: { token: string } }>({
        mutation: gql`
          mutation SignUp($input: SignUpInput!) {
            signUp(input: $input) {
              token
              userErrors {
                code
              }
            }
          }
        `,
        variables: { input: user },
      });
      token = signedUp!.signUp.token;
      const { data: created } = await person.client.mutate<{
        createOrganization: { organization: { id: string; name: string } };
      }>({
        mutation: gql`
          mutation CreateOrganization($input: CreateOrganizationInput!) {
            createOrganization(input: $input) {
              organization {
                id
                name
              }
              userErrors {
                code
              }
            }
          }
        `,
        variables: { input: { name: unique("Frontend") } },
      });
      const organization = created!.createOrganization.organization;
      const { data: key } = await person.client.mutate<{
        createOrganizationApiKey: {
          apiKey: { id: string; publicKey: string };
          privateKey: string;
          userErrors: unknown[];
        };
      }>({
        mutation: gql`
          mutation CreateOrganizationApiKey($input: CreateOrganizationApiKeyInput!) {
            createOrganizationApiKey(input: $input) {
              apiKey {
                id
                publicKey
                accessList {
                  cidrBlock
                }
              }
              privateKey
              userErrors {
                code
              }
            }
          }
        `,
        variables: {
          input: {
            organizationId: organization.id,
            description: "dashboard backend",
            roles: ["ORG_READ_ONLY"],
            accessList: [{ cidrBlock: "127.0.0.0/8" }],
          },
        },
      });
      assert.deepEqual(key?.createOrganizationApiKey.userErrors, []);
      const { apiKey, privateKey } = key!.createOrganizationApiKey;

      // An internal dashboard: its own client, authenticated by the key.
      const dashboard = frontend(() => basic(apiKey.publicKey, privateKey));
      try {
        const { data } = await dashboard.client.query<{ viewer: any }>({
          query: gql`
            query Viewer {
              viewer {
                __typename
                ... on ApiKey {
                  id
                  roles
                  organization {
                    id
                    name
                  }
                }
              }
            }
          `,
        });
        assert.equal(data?.viewer.__typename, "ApiKey");
        assert.equal(data?.viewer.id, apiKey.id);
        assert.deepEqual(data?.viewer.roles, ["ORG_READ_ONLY"]);
        // The key's organization, reached through viewer, is the same normalised entity that
        // `organization(id:)` reads: the cache answers that query without asking the server.
        const stored = dashboard.cache.extract();
        assert.equal(stored[`ApiKey:${apiKey.id}`]?.__typename, "ApiKey");
        assert.equal(stored[`Organization:${organization.id}`]?.name, organization.name);
        const requests = dashboard.counter.requests;
        const { data: fromCache } = await dashboard.client.query<{ organization: any }>({
          query: gql`
            query OrganizationName($id: ID!) {
              organization(id: $id) {
                id
                name
              }
            }
          `,
          variables: { id: organization.id },
        });
        assert.deepEqual(fromCache?.organization, {
          __typename: "Organization",
          id: organization.id,
          name: organization.name,
        });
        assert.equal(dashboard.counter.requests, requests, "answered from the cache");

        // A key cannot do what only people may: Apollo reports the GraphQL error.
        const refused = await dashboard.client
          .mutate({
            mutation: gql`
              mutation CreateOrganization($input: CreateOrganizationInput!) {
                createOrganization(input: $input) {
                  organization {
                    id
                  }
                  userErrors {
                    code
                  }
                }
              }
            `,
            variables: { input: { name: unique("nope") } },
          })
          .then(
            () => assert.fail("an API key cannot create an organization"),
            (error: unknown) => error,
          );
        assert.ok(CombinedGraphQLErrors.is(refused), String(refused));
        assert.equal(refused.errors[0].extensions?.code, "FORBIDDEN");
      } finally {
        dashboard.client.stop();
      }
    } finally {
      person.client.stop();
    }
  });
});
