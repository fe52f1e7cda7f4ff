import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client as PgClient } from "pg";
import { fillerKeyUuid, seedFillerEvents } from "../bench/seed-events";
import { toGlobalId, uuidOf } from "../src/graphql/global-id";
import { Seed, type OrganizationFixture, type UserActor } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

/**
 * The audit trail's indexes at scale: 1,000,000 events (one INSERT … SELECT, about 40 s on a
 * busy 2-core machine), 50,000 of them in the organization read through the API. The statements
 * the service sends are EXPLAINed as sent; the EXPLAIN (ANALYZE, BUFFERS) output is printed.
 */
describe("reading the audit trail among 1,000,000 events", { timeout: 600_000 }, () => {
  const serverUrl = new URL(process.env.TEST_DATABASE_URL!);
  const name = `${serverUrl.pathname.slice(1)}_events`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let service: TestService;
  let owner: UserActor;
  let org: OrganizationFixture;
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
    owner = await new Seed(service.client).user();
    org = await owner.organization();
    const seeded = await seedFillerEvents(url.toString(), {
      organizationId: uuidOf(org.id, "Organization")!,
      total: 1_000_000,
      inOrganization: 50_000,
    });
    console.log(
      `seeded ${seeded.total} events (${seeded.inOrganization} in one organization) in ${seeded.seconds.toFixed(1)} s`,
    );
  });
  after(async () => {
    await service?.stop();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  /** Runs `query` as the owner and EXPLAINs the statements it sent that read `events`. */
  async function plansOf(query: string, variables: Record<string, unknown>) {
    captured = [];
    await owner.client.query(query, variables);
    const reads = captured.filter(({ sql }) => /FROM "events"/.test(sql));
    const plans = [];
    for (const { sql, parameters } of reads) {
      const [{ "QUERY PLAN": plan }] = await admin(`EXPLAIN (FORMAT JSON) ${sql}`, parameters, url);
      const analyzed = await admin(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, parameters, url);
      const lines = analyzed.map((row: Record<string, string>) => row["QUERY PLAN"]).join("\n");
      plans.push({ sql, json: JSON.stringify(plan), text: lines, isCount: /COUNT\(/i.test(sql) });
    }
    return plans;
  }

  const cases = [
    {
      name: "the organization's newest page, and the page after a cursor",
      index: "events_organization_page_idx",
      filter: undefined as Record<string, unknown> | undefined,
    },
    {
      name: "a type filter",
      index: "events_organization_type_idx",
      filter: { types: ["API_KEY_SECRET_ROTATED"] },
    },
    {
      name: "a key filter",
      index: "events_target_api_key_idx",
      // Key 40: its 1,000 events fall on every 20th n, all in the organization.
      filter: { apiKeyId: toGlobalId("ApiKey", fillerKeyUuid(40)) },
    },
  ];

  for (const { name: what, index, filter } of cases) {
    it(`pages by index for ${what}, never a sequential scan of events`, async (t) => {
      const page = `query ($id: ID!, $after: String, $filter: EventFilter) { organization(id: $id) {
        events(first: 20, after: $after, filter: $filter) { pageInfo { endCursor } edges { node { id } } } } }`;
      const first = await owner.client.query(page, { id: org.id, filter });
      assert.equal(first.organization.events.edges.length, 20, "a full page");
      const after = first.organization.events.pageInfo.endCursor;
      for (const variables of [
        { id: org.id, filter },
        { id: org.id, filter, after },
      ]) {
        const plans = await plansOf(page, variables);
        assert.equal(plans.length, 1, "one page query");
        for (const plan of plans) {
          assert.ok(!/"Seq Scan"[^}]*"events"/.test(plan.json), `sequential scan:\n${plan.text}`);
          assert.match(plan.json, new RegExp(index), plan.text);
          t.diagnostic(
            `EXPLAIN (ANALYZE, BUFFERS), ${what}${variables.after ? ", after a cursor" : ""}:\n${plan.sql}\n${plan.text}`,
          );
          const ms = Number(/Execution Time: ([\d.]+) ms/.exec(plan.text)?.[1]);
          assert.ok(ms < 100, `${ms} ms`);
        }
      }
      // totalCount with the filter: counted over the same index, never the table.
      const counted = await plansOf(
        `query ($id: ID!, $filter: EventFilter) { organization(id: $id) { events(first: 1, filter: $filter) { totalCount } } }`,
        { id: org.id, filter },
      );
      const count = counted.find((plan) => plan.isCount)!;
      assert.ok(!/"Seq Scan"[^}]*"events"/.test(count.json), `sequential scan:\n${count.text}`);
      t.diagnostic(`EXPLAIN (ANALYZE, BUFFERS), totalCount for ${what}:\n${count.text}`);
    });
  }
});
