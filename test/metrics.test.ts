import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { uuidOf } from "../src/graphql/global-id";
import { MAX_OPERATION_NAMES } from "../src/metrics/metrics";
import { request } from "./support/http";
import { registerSecret } from "./support/leaks";
import { parserMissing, scrape, type Scrape } from "./support/metrics";
import { Seed, type OrganizationFixture, type UserActor } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const REQUESTS = "keyfob_graphql_requests_total";
const DURATION = "keyfob_graphql_request_duration_seconds_count";
const AUTHENTICATIONS = "keyfob_authentications_total";

/** How much each matching series moved between two scrapes. */
function delta(before: Scrape, after: Scrape, name: string, labels: Record<string, string>) {
  return after.value(name, labels) - before.value(name, labels);
}

describe("GET /metrics", { skip: parserMissing }, () => {
  let service: TestService;
  let owner: UserActor;
  let org: OrganizationFixture;
  before(async () => {
    service = await startTestService();
    owner = await new Seed(service.client).user();
    org = await owner.organization();
  });
  after(() => service.stop());

  it("answers in the Prometheus text format with process, event-loop and pool metrics", async () => {
    const metrics = await scrape(service.url);
    for (const name of [
      "process_cpu_user_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_heap_size_used_bytes",
      "nodejs_eventloop_lag_seconds",
      "nodejs_eventloop_lag_p99_seconds",
      "keyfob_db_pool_waiting_requests",
    ]) {
      assert.ok(metrics.has(name), `${name} is exported`);
    }
    assert.equal(metrics.family("keyfob_graphql_requests").type, "counter");
    assert.equal(metrics.family("keyfob_graphql_request_duration_seconds").type, "histogram");
    assert.equal(metrics.family("nodejs_eventloop_lag_seconds").type, "gauge");
    assert.deepEqual(
      metrics.labelValues("keyfob_db_pool_connections", "state"),
      new Set(["in_use", "idle"]),
    );
    assert.ok(metrics.value("keyfob_db_pool_connections") >= 1, "the pool has connections");
  });

  it("counts GraphQL requests and their latency by operation type and name, never variables", async () => {
    const before = await scrape(service.url);
    for (let i = 0; i < 3; i++) await service.client.query(`query Ping { __typename }`);
    for (let i = 0; i < 2; i++) await service.client.query(`{ __typename }`);
    await service.client.raw(`mutation Bye { logOut { __typename } }`);
    await service.client.query(`query Echo($skip: Boolean!) { __typename @skip(if: $skip) }`, {
      skip: false,
      text: "variable-value-never-labelled",
    });
    const invalid = await service.client.raw(`{ nope`);
    assert.equal(invalid.status, 400);
    const after = await scrape(service.url);

    const query = { operation_type: "query" };
    assert.equal(
      delta(before, after, REQUESTS, { ...query, operation_name: "Ping", status_class: "2xx" }),
      3,
    );
    assert.equal(delta(before, after, REQUESTS, { ...query, operation_name: "anonymous" }), 2);
    assert.equal(
      delta(before, after, REQUESTS, { operation_type: "mutation", operation_name: "Bye" }),
      1,
    );
    assert.equal(delta(before, after, REQUESTS, { ...query, operation_name: "Echo" }), 1);
    assert.equal(
      delta(before, after, REQUESTS, {
        operation_type: "none",
        operation_name: "none",
        status_class: "4xx",
      }),
      1,
    );
    const ping = { ...query, operation_name: "Ping" };
    assert.equal(delta(before, after, DURATION, ping), 3, "three latencies observed");
    const seconds = delta(before, after, "keyfob_graphql_request_duration_seconds_sum", ping);
    assert.ok(seconds > 0 && seconds < 60, `latency is in seconds (${seconds})`);
    const fast = delta(before, after, "keyfob_graphql_request_duration_seconds_bucket", {
      ...ping,
      le: "10",
    });
    assert.equal(fast, 3, "each in a bucket");
    assert.ok(!after.text.includes("variable-value-never-labelled"));
  });

  it("counts authentication outcomes by method: ok, 401, 403 (access list) and 429", async () => {
    const key = await org.apiKey();
    const listed = await org.apiKey({ accessList: [{ ipAddress: "127.0.0.5" }] });
    const guessed = await org.apiKey();
    const before = await scrape(service.url);

    await owner.client.query(`{ viewer { __typename } }`);
    await service.client.raw(
      `{ __typename }`,
      {},
      { headers: { authorization: `Bearer ${owner.token}x` } },
    );
    await key.client.query(`{ viewer { __typename } }`);
    const wrong = service.client.as({
      kind: "apiKey",
      publicKey: key.publicKey,
      privateKey: randomUUID(),
    });
    assert.equal((await wrong.raw(`{ __typename }`)).status, 401);
    const outside = await listed.client.raw(`{ __typename }`, {}, { localAddress: "127.0.0.9" });
    assert.equal(outside.status, 403);
    // 10 failures per public key are allowed; the 11th and later are refused with 429.
    const guesser = service.client.as({
      kind: "apiKey",
      publicKey: guessed.publicKey,
      privateKey: randomUUID(),
    });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push(
        (await guesser.raw(`{ __typename }`, {}, { localAddress: "127.0.0.7" })).status,
      );
    }
    assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429]);
    await service.client.raw(`{ __typename }`, {}, { headers: { authorization: "Digest abc" } });
    const after = await scrape(service.url);

    const moved = (method: string, outcome: string) =>
      delta(before, after, AUTHENTICATIONS, { method, outcome });
    assert.equal(moved("bearer", "ok"), 1);
    assert.equal(moved("bearer", "unauthenticated"), 1);
    assert.equal(moved("basic", "ok"), 1);
    assert.equal(moved("basic", "unauthenticated"), 11);
    assert.equal(moved("basic", "not_on_access_list"), 1);
    assert.equal(moved("basic", "throttled"), 2);
    assert.equal(moved("other", "unauthenticated"), 1);
    assert.equal(moved("basic", "unavailable") + moved("bearer", "unavailable"), 0);
    assert.equal(
      delta(before, after, REQUESTS, { operation_name: "none", status_class: "4xx" }),
      16,
    );
  });

  it("counts verified-key cache misses and hits, and shows the cache's size", async () => {
    const key = await org.apiKey();
    const before = await scrape(service.url);
    await key.client.query(`{ viewer { __typename } }`);
    await key.client.query(`{ viewer { __typename } }`);
    const after = await scrape(service.url);
    const lookups = "keyfob_verified_key_cache_lookups_total";
    assert.equal(delta(before, after, lookups, { result: "miss" }), 1);
    assert.equal(delta(before, after, lookups, { result: "hit" }), 1);
    assert.ok(after.value("keyfob_verified_key_cache_entries") >= 1);
    assert.equal(after.value("keyfob_verified_key_cache_enabled"), 1);
  });

  it("shows the age of the oldest unwritten usage and counts failed usage writes", async () => {
    const usage = service.service.services.usage;
    const key = await org.apiKey();
    const secretId = uuidOf((await key.secrets())[0].id, "ApiKeySecret")!;
    await usage.stop(); // no timer: the backlog stays until flushed here
    try {
      usage.record(key.id, secretId, null, "127.0.0.1", new Date(Date.now() - 5_000));
      const behind = await scrape(service.url);
      assert.ok(behind.value("keyfob_usage_flush_lag_seconds") >= 5);
      await usage.flush();
      const caughtUp = await scrape(service.url);
      assert.equal(caughtUp.value("keyfob_usage_flush_lag_seconds"), 0);

      // An address Postgres's inet refuses makes the whole write fail.
      usage.record(key.id, secretId, randomUUID(), "not-an-address");
      await usage.flush();
      const failed = await scrape(service.url);
      assert.equal(delta(caughtUp, failed, "keyfob_usage_flush_failures_total", {}), 1);
      assert.equal(failed.value("keyfob_usage_flush_lag_seconds"), 0);
    } finally {
      usage.start();
    }
  });

  it("counts requests outside GraphQL by route and status class", async () => {
    const before = await scrape(service.url);
    await request(`${service.url}/healthz`);
    await request(`${service.url}/healthz`);
    assert.equal((await request(`${service.url}/no-such-page`)).status, 404);
    const after = await scrape(service.url);
    const http = "keyfob_http_requests_total";
    assert.equal(delta(before, after, http, { route: "/healthz", status_class: "2xx" }), 2);
    assert.equal(delta(before, after, http, { route: "unmatched", status_class: "4xx" }), 1);
    assert.equal(delta(before, after, http, { route: "/metrics", status_class: "2xx" }), 1);
  });

  it("labels at most the cap of distinct operations, counting a flood of new names as other", async () => {
    const before = await scrape(service.url);
    const isNamed = ({ labels }: { labels: Record<string, string> }) =>
      labels.operation_name !== "none" && labels.operation_name !== "other";
    const named = before.samples(DURATION).filter(isNamed);
    const free = MAX_OPERATION_NAMES - named.length;
    assert.ok(free > 0 && free < 100, `${named.length} operations labelled before the flood`);
    const flood = 120;
    for (let start = 0; start < flood; start += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          service.client.query(`query Flood${start + i} { __typename }`),
        ),
      );
    }
    await service.client.query(`query ${"L".repeat(200)} { __typename }`);
    await service.client.query(`query Ping { __typename }`);
    const after = await scrape(service.url);

    assert.equal(after.samples(DURATION).filter(isNamed).length, MAX_OPERATION_NAMES);
    const other = { operation_type: "query", operation_name: "other" };
    assert.equal(delta(before, after, REQUESTS, other), flood - free + 1, "the rest are other");
    assert.equal(
      delta(before, after, REQUESTS, { operation_name: "Ping" }),
      1,
      "known names still count",
    );
    assert.ok(after.text.length < 1_000_000, `the scrape stays small (${after.text.length} bytes)`);
  });
});

describe("GET /metrics with NODE_ENV=production", { skip: parserMissing }, () => {
  const token = `metrics-${randomUUID()}`;
  let behindToken: TestService;
  let separatePort: TestService;
  before(async () => {
    registerSecret(token);
    behindToken = await startTestService({ NODE_ENV: "production", METRICS_TOKEN: token });
    separatePort = await startTestService({ NODE_ENV: "production", METRICS_PORT: "0" });
  });
  after(async () => {
    await behindToken?.stop();
    await separatePort?.stop();
  });

  it("on the public port, refuses a scrape without the METRICS_TOKEN bearer with 401", async () => {
    for (const authorization of [
      undefined,
      "Bearer wrong-token",
      `Basic ${token}`,
      `Bearer ${token}x`,
    ]) {
      const response = await request(`${behindToken.url}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
      assert.equal(response.status, 401, String(authorization));
      assert.match(String(response.headers["www-authenticate"]), /^Bearer/);
      assert.doesNotMatch(response.text, /keyfob_|process_/);
    }
    const metrics = await scrape(behindToken.url, token);
    assert.equal(metrics.samples(AUTHENTICATIONS).length, 25, "5 methods × 5 outcomes, from 0");
  });

  it("with METRICS_PORT, serves it there only, with the public port's figures", async () => {
    assert.equal((await request(`${separatePort.url}/metrics`)).status, 404);
    const metricsUrl = separatePort.service.metricsUrl;
    assert.ok(metricsUrl && metricsUrl !== separatePort.url);
    await separatePort.client.query(`query Ping { __typename }`);
    const metrics = await scrape(metricsUrl);
    assert.equal(metrics.value(REQUESTS, { operation_name: "Ping" }), 1);
    assert.equal(
      (await request(`${metricsUrl}/graphql`)).status,
      404,
      "nothing else is served there",
    );
  });
});
