import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Seed, unique, type KeyFixture, type OrganizationFixture } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const LIST = `query ($id: ID!, $filter: ApiKeyFilter, $first: Int, $after: String) {
  organization(id: $id) {
    apiKeys(first: $first, after: $after, filter: $filter) {
      totalCount edges { node { id } } pageInfo { hasNextPage endCursor }
    }
  }
}`;
const VIEWER = `{ viewer { __typename } }`;
const USAGE = `query ($id: ID!) { apiKey(id: $id) { lastUsedAt } }`;

/** Polls until `check` passes or three seconds have gone: usage is written in the background. */
async function eventually(check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

describe("filtering an organization's keys (Organization.apiKeys(filter:))", () => {
  let service: TestService;
  let org: OrganizationFixture;
  /** The scene, by name. */
  const keys: Record<string, KeyFixture> = {};
  const tag = unique("tag");
  let usedBefore = "";
  let usedAfter = "";

  before(async () => {
    service = await startTestService();
    org = await (await new Seed(service.client).user()).organization();
    const later = new Date(Date.now() + 10 * 86_400_000).toISOString();
    keys.deployProd = await org.apiKey({ description: `Deploy bot PROD ${tag}` });
    keys.deployStaging = await org.apiKey({
      description: `deploy bot staging ${tag}`,
      expiresAt: later,
    });
    keys.percent = await org.apiKey({ description: `metrics 100%_done ${tag}` });
    keys.underscore = await org.apiKey({ description: `metrics 100x done ${tag}` });
    keys.backslash = await org.apiKey({ description: `C:\\backup ${tag}` });
    const soon = new Date(Date.now() + 1_500).toISOString();
    keys.expired = await org.apiKey({ description: `nightly ${tag}`, expiresAt: soon });
    keys.disabled = await org.apiKey({ description: `retired deploy ${tag}` });
    await keys.disabled.update({ enabled: false });
    // Usage: deployProd before `usedBefore`, deployStaging after it.
    await keys.deployProd.client.query(VIEWER);
    await eventually(async () => {
      assert.ok((await org.client.query(USAGE, { id: keys.deployProd.id })).apiKey.lastUsedAt);
    });
    await sleep(20);
    usedBefore = new Date().toISOString();
    await sleep(20);
    await keys.deployStaging.client.query(VIEWER);
    await eventually(async () => {
      assert.ok((await org.client.query(USAGE, { id: keys.deployStaging.id })).apiKey.lastUsedAt);
    });
    usedAfter = new Date(Date.now() + 1_000).toISOString();
    // Past the short-lived key's expiry.
    await sleep(Math.max(0, Date.parse(soon) - Date.now() + 50));
  });
  after(() => service.stop());

  /** Every id the filter lists, following the cursors, and the totalCount of the first page. */
  async function listed(filter: Record<string, unknown>, first = 100): Promise<[string[], number]> {
    const ids: string[] = [];
    let after: string | null = null;
    let total = -1;
    do {
      const data: any = await org.client.query(LIST, { id: org.id, filter, first, after });
      const connection = data.organization.apiKeys;
      if (total < 0) total = connection.totalCount;
      assert.equal(connection.totalCount, total, "every page reports the same totalCount");
      ids.push(...connection.edges.map((edge: any) => edge.node.id));
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    } while (after);
    return [ids, total];
  }

  /** The scene's names among the listed ids (the organization holds only the scene's keys). */
  async function names(filter: Record<string, unknown>): Promise<string[]> {
    const [ids, total] = await listed(filter);
    assert.equal(total, ids.length, "totalCount agrees with the filter");
    const byId = new Map(Object.entries(keys).map(([name, key]) => [key.id, name]));
    return ids.map((id) => byId.get(id) ?? id).sort();
  }

  it("lists every key without a filter, or with an empty one", async () => {
    assert.equal((await names({})).length, Object.keys(keys).length);
    assert.equal((await listed({ search: null, enabled: null }))[1], Object.keys(keys).length);
  });

  it("search: a case-insensitive substring of the description", async () => {
    assert.deepEqual(await names({ search: "DEPLOY BOT" }), ["deployProd", "deployStaging"]);
    assert.deepEqual(await names({ search: "deploy" }), [
      "deployProd",
      "deployStaging",
      "disabled",
    ]);
    assert.deepEqual(await names({ search: "nothing like this" }), []);
  });

  it("search: a substring of the public key, in any case", async () => {
    const part = keys.backslash.publicKey.slice(2, 7);
    assert.ok((await names({ search: part.toUpperCase() })).includes("backslash"));
  });

  it("search: % and _ and \\ match themselves, never as wildcards", async () => {
    assert.deepEqual(await names({ search: "100%_" }), ["percent"]);
    assert.deepEqual(await names({ search: "%" }), ["percent"]);
    assert.deepEqual(await names({ search: "100_" }), []);
    assert.deepEqual(await names({ search: "C:\\b" }), ["backslash"]);
  });

  it("enabled: true or false", async () => {
    assert.deepEqual(await names({ enabled: false }), ["disabled"]);
    assert.equal((await names({ enabled: true })).length, Object.keys(keys).length - 1);
  });

  it("expiresBefore: keys expiring before the instant, expired ones included, never-expiring ones not", async () => {
    assert.deepEqual(await names({ expiresBefore: new Date().toISOString() }), ["expired"]);
    const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString();
    assert.deepEqual(await names({ expiresBefore: inAMonth }), ["deployStaging", "expired"]);
  });

  it("unusedSince: keys not used since the instant, never-used ones included", async () => {
    const unused = await names({ unusedSince: usedBefore });
    assert.ok(unused.includes("deployProd"), "last used before the instant");
    assert.ok(!unused.includes("deployStaging"), "used after the instant");
    assert.ok(unused.includes("backslash"), "never used");
    assert.equal(unused.length, Object.keys(keys).length - 1);
    assert.equal((await names({ unusedSince: usedAfter })).length, Object.keys(keys).length);
  });

  it("combines every field set with AND", async () => {
    assert.deepEqual(await names({ search: "deploy", enabled: true }), [
      "deployProd",
      "deployStaging",
    ]);
    assert.deepEqual(await names({ search: "deploy", enabled: true, unusedSince: usedBefore }), [
      "deployProd",
    ]);
    assert.deepEqual(
      await names({
        search: "deploy",
        expiresBefore: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      }),
      ["deployStaging"],
    );
  });

  it("pages a filtered list by cursor, with the filter's totalCount on every page", async () => {
    const [all] = await listed({ search: "metrics" }, 100);
    const [paged, total] = await listed({ search: "metrics" }, 1);
    assert.equal(total, 2);
    assert.deepEqual(paged, all);
  });

  it("never lists another organization's keys, whatever the filter", async () => {
    const other = await (await new Seed(service.client).user()).organization();
    const foreign = await other.apiKey({ description: `Deploy bot PROD ${tag}` });
    const [ids] = await listed({ search: foreign.publicKey });
    assert.deepEqual(ids, []);
    assert.ok(!(await listed({ search: tag }))[0].includes(foreign.id));
  });

  it("refuses a search longer than 250 characters as BAD_USER_INPUT", async () => {
    const result = await org.client.raw(LIST, { id: org.id, filter: { search: "x".repeat(251) } });
    assert.equal(result.errors?.[0].extensions?.code, "BAD_USER_INPUT", result.text);
  });

  it("is still ORG_OWNER only: a filter opens nothing to an ORG_MEMBER", async () => {
    const member = await org.member(["ORG_MEMBER"]);
    assert.equal(
      await member.client.errorCode(LIST, { id: org.id, filter: { search: "deploy" } }),
      "FORBIDDEN",
    );
  });
});
