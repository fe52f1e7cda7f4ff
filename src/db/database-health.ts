import type { Logger } from "pino";
import { connectionFailureOf } from "./connection-failure";

/** A request answered 503, or work of the service's own (usage flush, key-change channel). */
export type FailureSource = "request" | "background";

interface Outage {
  since: number;
  failedRequests: number;
  failedBackground: number;
}

export interface DatabaseHealthOptions {
  /** One cheap round trip (`SELECT 1`); run while the database is down, to notice its return. */
  probe: () => Promise<unknown>;
  probeIntervalMs?: number;
  now?: () => number;
}

/**
 * The one seam through which connection failures are reported, so that an outage is logged once
 * and not once per request: the first failure logs a warning, later ones are counted (debug), and
 * the first success afterwards logs how long it lasted and how many requests failed meanwhile.
 * While the database is down a probe runs, so the end is noticed even without traffic.
 */
export class DatabaseHealth {
  private outage: Outage | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private stopped = false;
  private readonly probe: () => Promise<unknown>;
  private readonly probeIntervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly log: Logger,
    options: DatabaseHealthOptions,
  ) {
    this.probe = options.probe;
    this.probeIntervalMs = options.probeIntervalMs ?? 500;
    this.now = options.now ?? Date.now;
  }

  get reachable(): boolean {
    return this.outage === undefined;
  }

  /**
   * Records `error` if it is a connection failure and says whether it was: the caller then answers
   * 503 with Retry-After (or, for background work, moves on) and logs nothing itself.
   */
  failed(error: unknown, source: FailureSource = "request"): boolean {
    const cause = connectionFailureOf(error);
    if (!cause) return false;
    // Only the code and message: a typeorm error also carries the SQL and its parameters.
    const reason = { code: cause.code, message: cause.message };
    if (!this.outage) {
      this.outage = { since: this.now(), failedRequests: 0, failedBackground: 0 };
      this.log.warn(
        { reason },
        "database unreachable: requests are answered 503 with Retry-After until it is back",
      );
      this.scheduleProbe();
    } else {
      this.log.debug({ reason, source }, "database still unreachable");
    }
    if (source === "request") this.outage.failedRequests += 1;
    else this.outage.failedBackground += 1;
    return true;
  }

  /** When a round trip starts: handed back to `succeeded` once it has answered. */
  startRoundTrip(): number {
    return this.now();
  }

  /**
   * A database round trip that started at `startedAt` (from `startRoundTrip`) succeeded: ends the
   * outage, if there was one and the round trip started after it was noticed. One sent before
   * proves nothing about now: its connection may just not have been cut yet, and taking it for the
   * end would log the outage twice.
   */
  succeeded(startedAt: number): void {
    const outage = this.outage;
    if (!outage || startedAt < outage.since) return;
    this.outage = undefined;
    const outageMs = this.now() - outage.since;
    this.log.info(
      {
        outageMs,
        failedRequests: outage.failedRequests,
        failedBackgroundTasks: outage.failedBackground,
      },
      "database reachable again after %d ms; %d requests were answered 503 meanwhile",
      outageMs,
      outage.failedRequests,
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.probeTimer);
  }

  /** One probe at a time, each after the previous one settled: a slow connect never piles up. */
  private scheduleProbe(): void {
    if (this.stopped || this.probing) return;
    this.probing = true;
    this.probeTimer = setTimeout(() => {
      if (!this.outage) {
        this.probing = false;
        return;
      }
      const startedAt = this.startRoundTrip();
      this.probe()
        .then(
          () => true,
          () => false,
        )
        .then((answered) => {
          this.probing = false;
          if (answered) this.succeeded(startedAt);
          else if (this.outage) this.scheduleProbe();
        });
    }, this.probeIntervalMs);
    this.probeTimer.unref();
  }
}
