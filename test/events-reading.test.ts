import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client as PgClient } from "pg";
import { EventPruner } from "../src/audit/event-pruner";
import { toGlobalId, uuidOf } from "../src/graphql/global-id";
import { EVENT_FIELDS, EventTrail, eventPage, type EventView } from "./support/events";
import {
  Seed,
  type KeyFixture,
  type OrganizationFixture,
  type ProjectFixture,
  type UserActor,
} from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const NODE = `query ($id: ID!) { node(id: $id) { __typename ... on Event { ${EVENT_FIELDS} } } }`;
const DELETE_KEY = `mutation ($input: DeleteOrganizationApiKeyInput!) {
  deleteOrganizationApiKey(input: $input) { deletedApiKeyId userErrors { code } } }`;

describe("reading the audit trail", () => {
  let service: TestService;
  let seed: Seed;
  let owner: UserActor;
  let org: OrganizationFixture;
  let project: ProjectFixture;
  let keys: KeyFixture[];
  /** Every event of `org`, newest first, once the fixtures are made. */
  let everything: EventView[];
  let sql: PgClient;

  before(async () => {
    service = await startTestService();
    seed = new Seed(service.client);
    owner = await seed.user();
    org = await owner.organization();
    keys = [];
    for (let i = 0; i < 10; i++) keys.push(await org.apiKey());
    project = await org.project();
    await project.assign(keys[0], ["GROUP_READ_ONLY"]);
    everything = await new EventTrail(owner.client, org.id).all();
    sql = new PgClient({ connectionString: process.env.TEST_DATABASE_URL });
    await sql.connect();
  });
  after(async () => {
    await sql.end();
    await service.stop();
  });

  it("has the events the fixtures made: 1 + 10 × 2 + 2 + 1", () => {
    // ORG_MEMBER_ADDED; per key API_KEY_CREATED + its one entry; GROUP_CREATED + the creator's
    // GROUP_MEMBER_ADDED; API_KEY_ADDED_TO_GROUP.
    assert.equal(everything.length, 24);
    assert.equal(everything.at(-1)!.type, "ORG_MEMBER_ADDED");
    assert.equal(everything[0].type, "API_KEY_ADDED_TO_GROUP");
  });

  it("pages newest first with keyset cursors: every event exactly once, totalCount on every page", async () => {
    const seen: EventView[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await eventPage(owner.client, org.id, { first: 10, after });
      assert.equal(page.totalCount, 24);
      seen.push(...page.events);
      pages++;
      if (!page.hasNextPage) break;
      after = page.endCursor!;
    }
    assert.equal(pages, 3);
    assert.deepEqual(
      seen.map((event) => event.id),
      everything.map((event) => event.id),
    );
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i - 1].createdAt >= seen[i].createdAt, "newest first");
    }
  });

  it("filters by types, with a totalCount that counts the filtered events", async () => {
    const created = await eventPage(owner.client, org.id, {
      first: 3,
      filter: { types: ["API_KEY_CREATED"] },
    });
    assert.equal(created.totalCount, 10);
    assert.equal(created.events.length, 3);
    assert.ok(created.events.every((event) => event.type === "API_KEY_CREATED"));
    const two = await eventPage(owner.client, org.id, {
      filter: { types: ["GROUP_CREATED", "ORG_MEMBER_ADDED", "GROUP_CREATED"] },
    });
    assert.deepEqual(
      two.events.map((event) => event.type),
      ["GROUP_CREATED", "ORG_MEMBER_ADDED"],
    );
    assert.equal(two.totalCount, 2);
    const none = await eventPage(owner.client, org.id, { filter: { types: [] } });
    assert.deepEqual([none.totalCount, none.events.length], [0, 0]);
  });

  it("filters by key: its events only; another organization's key or a non-key id matches nothing", async () => {
    const page = await eventPage(owner.client, org.id, { filter: { apiKeyId: keys[0].id } });
    assert.deepEqual(
      page.events.map((event) => event.type),
      ["API_KEY_ADDED_TO_GROUP", "API_KEY_ACCESS_LIST_ENTRY_ADDED", "API_KEY_CREATED"],
    );
    assert.equal(page.totalCount, 3);
    const other = await (await seed.user()).organization();
    const foreign = await other.apiKey();
    for (const apiKeyId of [foreign.id, org.id, "not-an-id"]) {
      const empty = await eventPage(owner.client, org.id, { filter: { apiKeyId } });
      assert.deepEqual([empty.totalCount, empty.events.length], [0, 0], apiKeyId);
    }
  });

  it("filters by time: since inclusive, until exclusive, together they split the trail", async () => {
    const instants = [...new Set(everything.map((event) => event.createdAt))];
    const middle = instants[Math.floor(instants.length / 2)];
    const since = await eventPage(owner.client, org.id, { filter: { since: middle } });
    const until = await eventPage(owner.client, org.id, { filter: { until: middle } });
    assert.ok(since.events.every((event) => event.createdAt >= middle));
    assert.ok(until.events.every((event) => event.createdAt < middle));
    assert.equal(since.totalCount + until.totalCount, 24);
    assert.equal(since.totalCount, since.events.length);
    const both = await eventPage(owner.client, org.id, {
      filter: { since: middle, until: middle, types: ["API_KEY_CREATED"] },
    });
    assert.equal(both.totalCount, 0);
  });

  it("refuses a page size out of range and a cursor it did not issue", async () => {
    for (const first of [0, 101, -1]) {
      assert.equal(
        await owner.client.errorCode(
          `query ($id: ID!, $first: Int) { organization(id: $id) { events(first: $first) { totalCount } } }`,
          { id: org.id, first },
        ),
        "BAD_USER_INPUT",
      );
    }
    assert.equal(
      await owner.client.errorCode(
        `query ($id: ID!) { organization(id: $id) { events(after: "bm90LWEtY3Vyc29y") { totalCount } } }`,
        { id: org.id },
      ),
      "BAD_USER_INPUT",
    );
  });

  it("Project.events has the events that name the project, for its owners and user admins", async () => {
    const admin = await project.member(["GROUP_USER_ADMIN"]);
    const page = await eventPage(admin.client, project.id, {}, "project");
    assert.deepEqual(
      page.events.map((event) => event.type),
      ["GROUP_MEMBER_ADDED", "API_KEY_ADDED_TO_GROUP", "GROUP_MEMBER_ADDED", "GROUP_CREATED"],
    );
    assert.ok(page.events.every((event) => event.project === project.id));
    assert.equal(page.totalCount, 4);
    // The key is assigned to the project, so its administrators see it; the owner is named.
    assert.equal(page.events[1].targetApiKey, keys[0].id);
    assert.equal(page.events[0].targetUser, admin.id);
    const ownerView = await eventPage(owner.client, project.id, {}, "project");
    assert.deepEqual(
      ownerView.events.map((event) => event.id),
      page.events.map((event) => event.id),
    );
  });

  it("node() reads an event for whoever may read the field it is in, and null for anyone else", async () => {
    const orgEvent = everything.find((event) => event.type === "API_KEY_CREATED")!;
    const projectEvent = everything.find((event) => event.type === "GROUP_CREATED")!;
    const { node } = await owner.client.query(NODE, { id: orgEvent.id });
    assert.equal(node.__typename, "Event");
    assert.equal(node.id, orgEvent.id);
    assert.equal(node.targetApiKey.id, orgEvent.targetApiKey);

    const admin = await project.member(["GROUP_OWNER"]);
    assert.equal(
      (await admin.client.query(NODE, { id: projectEvent.id })).node.id,
      projectEvent.id,
    );
    const reader = await project.member(["GROUP_READ_ONLY"]);
    const outsider = await seed.user();
    const otherOwner = await (await seed.user()).organization();
    for (const [who, client] of [
      ["a project admin, an event naming no project", admin.client],
      ["a project reader", reader.client],
      ["an outsider", outsider.client],
      ["another organization's owner", otherOwner.client],
      ["nobody", service.client],
    ] as const) {
      for (const event of who.startsWith("a project admin")
        ? [orgEvent]
        : [orgEvent, projectEvent]) {
        const result = await client.raw(NODE, { id: event.id });
        assert.equal(result.errors, undefined, who);
        assert.equal(result.data!.node, null, who);
        assert.ok(!result.text.includes(uuidOf(event.id, "Event")!), who);
      }
    }
    const unknown = toGlobalId("Event", "00000000-0000-7000-8000-000000000000");
    assert.equal((await owner.client.query(NODE, { id: unknown })).node, null);
  });

  it("keeps a deleted actor's and key's labels; actor and targetApiKey turn null", async () => {
    const admin = await org.apiKey({ roles: ["ORG_OWNER"] });
    const made = await admin.client.mutate(
      `mutation ($input: CreateOrganizationApiKeyInput!) {
         createOrganizationApiKey(input: $input) { apiKey { id publicKey } privateKey userErrors { code } } }`,
      { input: { organizationId: org.id, description: "by a key", roles: ["ORG_MEMBER"] } },
    );
    await owner.client.mutate(DELETE_KEY, { input: { apiKeyId: made.apiKey.id } });
    await owner.client.mutate(DELETE_KEY, { input: { apiKeyId: admin.id } });
    const page = await eventPage(owner.client, org.id, {
      filter: { apiKeyId: made.apiKey.id, types: ["API_KEY_CREATED"] },
    });
    assert.equal(page.events.length, 1);
    const [created] = page.events;
    assert.equal(created.actor, null);
    assert.equal(created.actorLabel, admin.publicKey);
    assert.equal(created.targetApiKey, null);
    assert.equal(created.targetPublicKey, made.apiKey.publicKey);
  });

  it("the database refuses to update an event; only deletion (retention) removes one", async () => {
    const id = uuidOf(everything[0].id, "Event");
    await assert.rejects(
      sql.query(`UPDATE events SET actor_label = 'someone else' WHERE id = $1`, [id]),
      /append-only/,
    );
    await assert.rejects(
      sql.query(`UPDATE events SET target_api_key_id = NULL WHERE id = $1`, [id]),
      /append-only/,
    );
    const [row] = (await sql.query(`SELECT actor_label FROM events WHERE id = $1`, [id])).rows;
    assert.equal(row.actor_label, owner.email);
  });
});

describe("the client address of an event", () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ TRUST_PROXY: "127.0.0.1" });
  });
  after(() => service.stop());

  it("is the address the access-list check sees: X-Forwarded-For from a trusted proxy", async () => {
    const owner = await new Seed(service.client).user();
    const org = await owner.organization();
    await owner.client.mutate(
      `mutation ($input: CreateOrganizationApiKeyInput!) {
         createOrganizationApiKey(input: $input) { apiKey { id } privateKey userErrors { code } } }`,
      {
        input: {
          organizationId: org.id,
          description: "via proxy",
          roles: ["ORG_MEMBER"],
          accessList: [{ cidrBlock: "127.0.0.0/8" }],
        },
      },
      { headers: { "x-forwarded-for": "198.51.100.1, 203.0.113.50" } },
    );
    const page = await eventPage(owner.client, org.id, { filter: { types: ["API_KEY_CREATED"] } });
    assert.equal(page.events[0].remoteAddress, "203.0.113.50");
    const created = await eventPage(owner.client, org.id, {
      filter: { types: ["ORG_MEMBER_ADDED"] },
    });
    assert.equal(created.events[0].remoteAddress, "127.0.0.1");
  });
});

describe("retention", () => {
  let service: TestService;
  let sql: PgClient;
  before(async () => {
    service = await startTestService({ EVENT_RETENTION_DAYS: "30" });
    sql = new PgClient({ connectionString: process.env.TEST_DATABASE_URL });
    await sql.connect();
  });
  after(async () => {
    await sql.end();
    await service.stop();
  });

  it("prunes events older than EVENT_RETENTION_DAYS in bounded batches and keeps the rest", async () => {
    const owner = await new Seed(service.client).user();
    const org = await owner.organization();
    await org.apiKey();
    const organizationId = uuidOf(org.id, "Organization");
    // Back-dated rows: the one place a test writes events itself, as no request can date one.
    await sql.query(
      `INSERT INTO events (id, organization_id, type, created_at, actor_user_id, actor_label, remote_address)
       SELECT gen_random_uuid(), $1, 'ORG_SETTINGS_CHANGED', now() - make_interval(days => 31 + i),
              $2, 'someone@example.test', '192.0.2.1'
         FROM generate_series(1, 25) AS i`,
      [organizationId, uuidOf(owner.id, "User")],
    );
    const before = await eventPage(owner.client, org.id);
    assert.equal(before.totalCount, 28);

    const statements: string[] = [];
    const db = service.service.db;
    const watched = Object.create(db, {
      query: {
        value: (text: string, parameters: unknown[]) => {
          statements.push(text);
          return db.query(text, parameters);
        },
      },
    });
    const pruner = new EventPruner(watched, silentLog(), service.service.services.health, 30, {
      batchSize: 10,
      pauseMs: 1,
    });
    // Other test files share the database: only this organization's rows are counted.
    const deleted = await pruner.prune();
    assert.ok(deleted >= 25, `${deleted} deleted`);
    assert.ok(statements.length >= 3, "25 rows in batches of 10 take at least 3 statements");
    const after = await eventPage(owner.client, org.id);
    assert.deepEqual(after.events.map((event) => event.type).sort(), [
      "API_KEY_ACCESS_LIST_ENTRY_ADDED",
      "API_KEY_CREATED",
      "ORG_MEMBER_ADDED",
    ]);
    assert.equal(after.totalCount, 3);
  });

  it("runs in the background: started with the service, stopped with it", () => {
    const pruner = service.service.services.eventPruner as unknown as { timer?: NodeJS.Timeout };
    assert.ok(pruner.timer, "a timer is pending");
    assert.equal(pruner.timer!.hasRef(), false, "it does not keep the process alive");
  });
});

function silentLog() {
  const noop = () => {};
  return { info: noop, warn: noop, error: noop, debug: noop } as never;
}
