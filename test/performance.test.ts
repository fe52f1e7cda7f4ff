import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client as PgClient } from "pg";
import { seedFillerKeys } from "../bench/seed-keys";
import { Seed, type OrganizationFixture, type UserActor } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const KEY_PAGE = `query ($id: ID!, $first: Int!) {
  organization(id: $id) {
    apiKeys(first: $first) {
      edges { node {
        id publicKey description roles expiresAt enabled privateKeyRedacted
        organization { id name }
        projectAssignments { roles project { id name } }
        accessList { cidrBlock usageCount }
        secrets { id expiresAt lastUsedAt }
      } }
    }
  }
}`;

const EVENT_PAGE = `query ($id: ID!, $first: Int!) {
  organization(id: $id) {
    events(first: $first) {
      edges { node {
        id type createdAt actorLabel remoteAddress targetPublicKey roles accessListEntry
        actor { __typename ... on User { id email } ... on ApiKey { id publicKey } }
        organization { id name }
        project { id name }
        targetApiKey { id publicKey description }
        targetUser { id email }
      } }
    }
  }
}`;

describe("SQL statements per request", () => {
  let service: TestService;
  let owner: UserActor;
  let org: OrganizationFixture;
  let statements: string[] = [];
  before(async () => {
    service = await startTestService({}, { onQuery: (sql) => statements.push(sql) });
    owner = await new Seed(service.client).user();
    org = await owner.organization();
    const projects = await Promise.all([org.project(), org.project(), org.project()]);
    for (let i = 0; i < 100; i++) {
      const key = await org.apiKey({
        accessList: [{ cidrBlock: "127.0.0.0/8" }, { ipAddress: `10.0.${i}.1` }],
      });
      await projects[i % 3].assign(key, ["GROUP_READ_ONLY"]);
    }
  });
  after(() => service.stop());

  async function countFor(first: number): Promise<number> {
    statements = [];
    const data = await owner.client.query(KEY_PAGE, { id: org.id, first });
    assert.equal(data.organization.apiKeys.edges.length, first);
    return statements.filter((sql) => !/^(BEGIN|COMMIT|ROLLBACK|START TRANSACTION)/i.test(sql))
      .length;
  }

  it("lists 10 or 100 keys with organization, roles, assignments with projects, access lists and secrets in the same few statements", async () => {
    const ten = await countFor(10);
    const hundred = await countFor(100);
    assert.equal(ten, hundred, "the statement count must not grow with the page size");
    // Access check, page, organization, assignments, projects, access lists, secrets.
    assert.ok(hundred <= 7, `${hundred} statements: ${statements.join("\n")}`);
  });

  it("lists 10 or 100 events with actor, organization, project, target key and target user in the same few statements", async (t) => {
    // Members too, so that pages carry target users and a second kind of actor.
    const project = (
      await owner.client.query(
        `query ($id: ID!) { organization(id: $id) { projects(first: 1) { edges { node { id } } } } }`,
        { id: org.id },
      )
    ).organization.projects.edges[0].node.id;
    // The newest ten events then hold every kind of target: each member's ORG_MEMBER_ADDED and
    // GROUP_MEMBER_ADDED, then a project key's creation.
    for (let i = 0; i < 5; i++) {
      const user = await org.member(["ORG_MEMBER"]);
      await owner.client.mutate(
        `mutation ($input: AddProjectMemberInput!) { addProjectMember(input: $input) { userErrors { code } } }`,
        { input: { projectId: project, userId: user.id, roles: ["GROUP_READ_ONLY"] } },
      );
      await owner.client.mutate(
        `mutation ($input: CreateProjectApiKeyInput!) { createProjectApiKey(input: $input) { privateKey userErrors { code } } }`,
        {
          input: {
            projectId: project,
            description: `events ${i}`,
            roles: ["GROUP_READ_ONLY"],
            accessList: [{ cidrBlock: "127.0.0.0/8" }],
          },
        },
      );
    }
    const countEvents = async (first: number) => {
      statements = [];
      const data = await owner.client.query(EVENT_PAGE, { id: org.id, first });
      const edges = data.organization.events.edges;
      assert.equal(edges.length, first);
      return {
        count: statements.filter((sql) => !/^(BEGIN|COMMIT|ROLLBACK|START TRANSACTION)/i.test(sql))
          .length,
        withUser: edges.filter((edge: any) => edge.node.targetUser).length,
        withKey: edges.filter((edge: any) => edge.node.targetApiKey).length,
        withProject: edges.filter((edge: any) => edge.node.project).length,
      };
    };
    const ten = await countEvents(10);
    const hundred = await countEvents(100);
    t.diagnostic(
      `100-event page: ${hundred.count} SQL statements (${hundred.withKey} with a target key, ` +
        `${hundred.withUser} with a target user, ${hundred.withProject} with a project); 10-event page: ${ten.count}`,
    );
    for (const page of [ten, hundred]) {
      assert.ok(
        page.withUser > 0 && page.withKey > 0 && page.withProject > 0,
        JSON.stringify(page),
      );
    }
    assert.equal(ten.count, hundred.count, "the statement count must not grow with the page size");
    // Access check, page, users, keys, key assignments, projects (access), organization.
    assert.ok(hundred.count <= 8, `${hundred.count} statements: ${statements.join("\n")}`);
  });
});

describe("listing keys among 100,000", () => {
  const serverUrl = new URL(process.env.TEST_DATABASE_URL!);
  const name = `${serverUrl.pathname.slice(1)}_explain`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let service: TestService;
  let captured: { sql: string; parameters: unknown[] }[] = [];

  async function admin(sql: string, parameters: unknown[] = [], database = serverUrl) {
    const client = new PgClient({ connectionString: database.toString() });
    await client.connect();
    try {
      return (await client.query(sql, parameters)).rows;
    } finally {
      await client.end();
    }
  }

  before(async () => {
    await admin(`CREATE DATABASE ${name}`);
    service = await startTestService(
      { DATABASE_URL: url.toString() },
      { onQuery: (sql, parameters) => captured.push({ sql, parameters: parameters ?? [] }) },
    );
    await seedFillerKeys(url.toString(), { organizations: 1_000, keysPerOrganization: 100 });
  });
  after(async () => {
    await service?.stop();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it("pages through an organization's keys by index, never a sequential scan of api_keys", async () => {
    const owner = await new Seed(service.client).user();
    const org = await owner.organization();
    await org.apiKey();
    await org.apiKey();
    const [filler] = await admin(
      `SELECT o.id, (SELECT k.id FROM api_keys k WHERE k.organization_id = o.id ORDER BY created_at, id LIMIT 1) AS key_id,
              (SELECT k.created_at FROM api_keys k WHERE k.organization_id = o.id ORDER BY created_at, id LIMIT 1) AS created_at
         FROM organizations o WHERE o.name = 'filler-500'`,
      [],
      url,
    );
    const first = await owner.client.query(
      `query ($id: ID!) { organization(id: $id) { apiKeys(first: 1) { pageInfo { endCursor } } } }`,
      { id: org.id },
    );
    captured = [];
    await owner.client.query(
      `query ($id: ID!, $after: String) { organization(id: $id) { apiKeys(first: 20, after: $after) { totalCount edges { node { id } } } } }`,
      { id: org.id, after: first.organization.apiKeys.pageInfo.endCursor },
    );
    const listing = captured.filter(({ sql }) => /FROM "api_keys"/.test(sql));
    assert.equal(listing.length, 2, "one page query and one count");
    for (const { sql, parameters } of listing) {
      // The same statement for a large organization, after its first key.
      const forFiller = parameters.map((value) =>
        value === parameters[0]
          ? filler.id
          : value instanceof Date
            ? filler.created_at
            : value === parameters[2]
              ? filler.key_id
              : value,
      );
      const [{ "QUERY PLAN": plan }] = await admin(`EXPLAIN (FORMAT JSON) ${sql}`, forFiller, url);
      const text = JSON.stringify(plan);
      assert.doesNotMatch(
        text,
        /"Node Type":"Seq Scan","Parallel Aware":(true|false),"Async Capable":(true|false),"Relation Name":"api_keys"/,
      );
      assert.ok(!/"Seq Scan"[^}]*"api_keys"/.test(text), `sequential scan of api_keys:\n${text}`);
      assert.match(text, /api_keys_page_idx/);
    }
  });

  it("finds a key by its public key through the unique index", async () => {
    const [{ "QUERY PLAN": plan }] = await admin(
      `EXPLAIN (FORMAT JSON) SELECT k.id FROM api_keys k WHERE k.public_key = $1`,
      ["zzaaabcd"],
      url,
    );
    assert.match(JSON.stringify(plan), /api_keys_public_key_key/);
  });
});

describe("searching the keys of one organization holding 100,000", () => {
  const serverUrl = new URL(process.env.TEST_DATABASE_URL!);
  const name = `${serverUrl.pathname.slice(1)}_search`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let service: TestService;
  let captured: { sql: string; parameters: unknown[] }[] = [];

  async function admin(sql: string, parameters: unknown[] = [], database = serverUrl) {
    const client = new PgClient({ connectionString: database.toString() });
    await client.connect();
    try {
      return (await client.query(sql, parameters)).rows;
    } finally {
      await client.end();
    }
  }

  before(async () => {
    await admin(`CREATE DATABASE ${name}`);
    service = await startTestService(
      { DATABASE_URL: url.toString() },
      { onQuery: (sql, parameters) => captured.push({ sql, parameters: parameters ?? [] }) },
    );
    // One organization beyond any configured limit: the search must not depend on the limit.
    await seedFillerKeys(url.toString(), { organizations: 1, keysPerOrganization: 100_000 });
  });
  after(async () => {
    await service?.stop();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it("finds keys by a substring of their description or public key through the trigram index, never a sequential scan", async (t) => {
    const owner = await new Seed(service.client).user();
    const org = await owner.organization();
    await org.apiKey({ description: "filler key 4242 lookalike" });
    const [filler] = await admin(`SELECT id FROM organizations WHERE name = 'filler-1'`, [], url);
    captured = [];
    const data = await owner.client.query(
      `query ($id: ID!) { organization(id: $id) {
         apiKeys(first: 20, filter: { search: "KEY 4242" }) { totalCount edges { node { id } } } } }`,
      { id: org.id },
    );
    assert.equal(data.organization.apiKeys.totalCount, 1);
    const listing = captured.filter(({ sql }) => /FROM "api_keys"/.test(sql));
    assert.equal(listing.length, 2, "one page query and one count");
    for (const { sql, parameters } of listing) {
      // The same statement, for the organization with 100,000 keys.
      const forFiller = parameters.map((value) => (value === parameters[0] ? filler.id : value));
      const [{ "QUERY PLAN": plan }] = await admin(`EXPLAIN (FORMAT JSON) ${sql}`, forFiller, url);
      const text = JSON.stringify(plan);
      assert.ok(!/"Seq Scan"[^}]*"api_keys"/.test(text), `sequential scan of api_keys:\n${text}`);
      assert.match(text, /api_keys_search_idx/);
      const analyzed = await admin(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, forFiller, url);
      const lines = analyzed.map((row: Record<string, string>) => row["QUERY PLAN"]);
      t.diagnostic(`EXPLAIN (ANALYZE, BUFFERS) on 100,000 keys:\n${sql}\n${lines.join("\n")}`);
      const total = Number(/Execution Time: ([\d.]+) ms/.exec(lines.join("\n"))?.[1]);
      assert.ok(total < 500, `${total} ms`);
    }
    // "filler key 4242" and "filler key 42420" to "…42429": the filler organization's matches.
    const [{ count }] = await admin(
      `SELECT count(*)::int AS count FROM api_keys WHERE organization_id = $1
          AND (description ILIKE '%key 4242%' OR public_key ILIKE '%key 4242%')`,
      [filler.id],
      url,
    );
    assert.ok(count > 0 && count < 100, `${count} matches`);
  });
});
