import type { OperationTypeNode } from "graphql";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * How a request presented credentials: a user's session token (`bearer`), an API key with HTTP
 * Basic (`basic`) or an OAuth access token (`oauth`) on /graphql, an API key authenticating to
 * the OAuth token or revocation endpoint (`oauth_client`), or anything else (`other`). A new
 * authentication method adds its name here.
 */
export const AUTHENTICATION_METHODS = [
  "bearer",
  "basic",
  "oauth",
  "oauth_client",
  "other",
] as const;
export type AuthenticationMethod = (typeof AUTHENTICATION_METHODS)[number];

/**
 * What became of a request's credentials: admitted, or refused with 401, 403 (access list),
 * 429 (too many failures), or 503 (they could not be checked, the database being unreachable).
 */
export const AUTHENTICATION_OUTCOMES = [
  "ok",
  "unauthenticated",
  "not_on_access_list",
  "throttled",
  "unavailable",
] as const;
export type AuthenticationOutcome = (typeof AUTHENTICATION_OUTCOMES)[number];

export type OperationType = `${OperationTypeNode}`;

/** Distinct operation names labelled per instance; names seen after that count as "other". */
export const MAX_OPERATION_NAMES = 100;
/** Longer names count as "other" too: a name may be as long as the body, and labels are kept. */
export const MAX_OPERATION_NAME_LENGTH = 100;
/** Label of an operation without a name. */
export const ANONYMOUS_OPERATION = "anonymous";
/** Label of the names past `MAX_OPERATION_NAMES`. */
export const OTHER_OPERATIONS = "other";
/** Operation type and name of a request that never reached an operation (refused, unparsable). */
export const NO_OPERATION = "none";

/** Request latencies from a cached key check (a millisecond) to a slow page of keys. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/**
 * Sampling interval of the event-loop delay histogram (prom-client's default metrics): lag worth
 * alerting on is tens of milliseconds, and a coarser interval wakes the loop less often.
 */
const EVENT_LOOP_RESOLUTION_MS = 20;

/** The connection pool as seen at scrape time. */
export interface PoolStatistics {
  inUse: number;
  idle: number;
  waiting: number;
}

/** One operation's pre-bound series: nothing is looked up or built when a request is counted. */
export interface OperationSeries {
  readonly duration: Histogram.Internal<string>;
  /** Request counters by status class (index 1 to 5), bound on first use. */
  readonly requests: (Counter.Internal | undefined)[];
  readonly type: string;
  readonly name: string;
}

type Source<T> = () => T;

let processRegistry: Registry | undefined;

/**
 * Process-wide metrics (CPU, memory, event-loop lag, GC, handles), registered once per process:
 * they describe the process, and collecting them installs observers that are never removed.
 */
function defaultMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({
      register: processRegistry,
      eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS,
    });
  }
  return processRegistry;
}

/**
 * Every metric the service exports, with its labels: features call one method each and never
 * build a label set. One instance per service instance, each with its own registry, so several
 * services in one process (the tests) count apart. Values that already exist elsewhere (pool,
 * cache, usage backlog) are read at scrape time from sources registered once.
 */
export class Metrics {
  private readonly registry = new Registry();
  private readonly operationDuration = new Histogram({
    name: "keyfob_graphql_request_duration_seconds",
    help: "Time from receiving a GraphQL request to sending the whole response, by operation.",
    labelNames: ["operation_type", "operation_name"],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly operationRequests = new Counter({
    name: "keyfob_graphql_requests_total",
    help: "GraphQL requests by operation and HTTP status class (refused and invalid ones under operation none).",
    labelNames: ["operation_type", "operation_name", "status_class"],
    registers: [this.registry],
  });
  private readonly httpRequests = new Counter({
    name: "keyfob_http_requests_total",
    help: "HTTP requests outside GraphQL, by route and status class.",
    labelNames: ["route", "status_class"],
    registers: [this.registry],
  });
  /**
   * Counted on every authenticated request, so in plain numbers, copied into the exported
   * counters at scrape time: prom-client's `inc` hashes the label set on every call, bound
   * series too.
   */
  private readonly authenticationCounts = Object.fromEntries(
    AUTHENTICATION_METHODS.map((method) => [
      method,
      Object.fromEntries(AUTHENTICATION_OUTCOMES.map((outcome) => [outcome, 0])),
    ]),
  ) as Record<AuthenticationMethod, Record<AuthenticationOutcome, number>>;
  private readonly keyCacheLookupCounts = { hit: 0, miss: 0 };
  private readonly usageFlushFailures = new Counter({
    name: "keyfob_usage_flush_failures_total",
    help: "Writes of buffered API key usage counters that failed (their counts are lost).",
    registers: [this.registry],
  });

  private readonly operations = new Map<string, Map<string, OperationSeries>>();
  private operationNames = 0;
  private readonly noOperation: OperationSeries;
  private readonly routes = new Map<string, Counter.Internal[]>();

  constructor() {
    this.noOperation = this.bindOperation(NO_OPERATION, NO_OPERATION);
    // Every known series is exported from the start, at 0, so a rate or an alert sees the first
    // failure as a change.
    const authentications = this.authenticationCounts;
    new Counter({
      name: "keyfob_authentications_total",
      help: "Requests that carried credentials, by method and outcome.",
      labelNames: ["method", "outcome"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const method of AUTHENTICATION_METHODS) {
          for (const outcome of AUTHENTICATION_OUTCOMES) {
            this.inc({ method, outcome }, authentications[method][outcome]);
          }
        }
      },
    });
    const lookups = this.keyCacheLookupCounts;
    new Counter({
      name: "keyfob_verified_key_cache_lookups_total",
      help: "Verified-key cache lookups, by result (hit or miss).",
      labelNames: ["result"],
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc({ result: "hit" }, lookups.hit);
        this.inc({ result: "miss" }, lookups.miss);
      },
    });
  }

  /** The series of an operation, by type and name from the parsed document; bounded in number. */
  operation(type: OperationType, name: string | null | undefined): OperationSeries {
    let byName = this.operations.get(type);
    if (!byName) this.operations.set(type, (byName = new Map()));
    const label = name || ANONYMOUS_OPERATION;
    const known = byName.get(label);
    if (known) return known;
    if (this.operationNames >= MAX_OPERATION_NAMES || label.length > MAX_OPERATION_NAME_LENGTH) {
      return byName.get(OTHER_OPERATIONS) ?? this.addOperation(byName, type, OTHER_OPERATIONS);
    }
    this.operationNames++;
    return this.addOperation(byName, type, label);
  }

  /** A finished GraphQL request; `operation` is null when none was resolved. */
  graphqlRequest(operation: OperationSeries | null, status: number, seconds: number): void {
    const series = operation ?? this.noOperation;
    const statusClass = statusClassOf(status);
    series.duration.observe(seconds);
    (
      series.requests[statusClass] ??
      (series.requests[statusClass] = this.operationRequests.labels(
        series.type,
        series.name,
        `${statusClass}xx`,
      ))
    ).inc();
  }

  /** A finished request to a route other than GraphQL; `route` is the registered path. */
  httpRequest(route: string | undefined, status: number): void {
    const label = route ?? "unmatched";
    let byClass = this.routes.get(label);
    if (!byClass) this.routes.set(label, (byClass = []));
    const statusClass = statusClassOf(status);
    (
      byClass[statusClass] ??
      (byClass[statusClass] = this.httpRequests.labels(label, `${statusClass}xx`))
    ).inc();
  }

  authentication(method: AuthenticationMethod, outcome: AuthenticationOutcome): void {
    this.authenticationCounts[method][outcome] += 1;
  }

  verifiedKeyLookup(hit: boolean): void {
    this.keyCacheLookupCounts[hit ? "hit" : "miss"] += 1;
  }

  usageFlushFailed(): void {
    this.usageFlushFailures.inc();
  }

  /** Age of the oldest usage counter not yet written, read at scrape time (ms epoch or null). */
  observeUsageBacklog(oldestUnwrittenAt: Source<number | null>): void {
    new Gauge({
      name: "keyfob_usage_flush_lag_seconds",
      help: "Age of the oldest buffered API key usage not yet written to the database (0 when none).",
      registers: [this.registry],
      collect() {
        const oldest = oldestUnwrittenAt();
        this.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
      },
    });
  }

  observeVerifiedKeyCache(source: Source<{ entries: number; enabled: boolean }>): void {
    new Gauge({
      name: "keyfob_verified_key_cache_entries",
      help: "Keys held by the verified-key cache.",
      registers: [this.registry],
      collect() {
        this.set(source().entries);
      },
    });
    new Gauge({
      name: "keyfob_verified_key_cache_enabled",
      help: "1 while the verified-key cache is on; 0 while key changes from other instances cannot be received.",
      registers: [this.registry],
      collect() {
        this.set(source().enabled ? 1 : 0);
      },
    });
  }

  observePool(source: Source<PoolStatistics>): void {
    new Gauge({
      name: "keyfob_db_pool_connections",
      help: "Database pool connections, by state (in_use or idle).",
      labelNames: ["state"],
      registers: [this.registry],
      collect() {
        const pool = source();
        this.labels("in_use").set(pool.inUse);
        this.labels("idle").set(pool.idle);
      },
    });
    new Gauge({
      name: "keyfob_db_pool_waiting_requests",
      help: "Queries waiting for a free database pool connection.",
      registers: [this.registry],
      collect() {
        this.set(source().waiting);
      },
    });
  }

  /** The Prometheus text exposition of this instance's metrics and the process's. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge([defaultMetrics(), this.registry]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  private bindOperation(type: string, name: string): OperationSeries {
    return { duration: this.operationDuration.labels(type, name), requests: [], type, name };
  }

  private addOperation(
    byName: Map<string, OperationSeries>,
    type: string,
    name: string,
  ): OperationSeries {
    const series = this.bindOperation(type, name);
    byName.set(name, series);
    return series;
  }
}

function statusClassOf(status: number): number {
  return Math.min(5, Math.max(1, Math.floor(status / 100)));
}
