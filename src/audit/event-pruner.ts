import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import type { DatabaseHealth } from "../db/database-health";

export interface PrunerOptions {
  /** How often a pruning run starts. */
  intervalMs?: number;
  /** Rows deleted per statement, so no run holds locks or bloats WAL for long. */
  batchSize?: number;
  /** Pause between two batches of one run, leaving room for requests. */
  pauseMs?: number;
}

const DAY_MS = 86_400_000;

/**
 * Retention of the audit trail: events older than `retentionDays` are deleted in the background,
 * in bounded batches (`DELETE … WHERE id IN (SELECT … LIMIT n)` over the BRIN index
 * `events_created_at_idx`),
 * with a pause between batches; the only code path that deletes events. The timer is unref'd and
 * `stop()` waits for a run in progress to finish its current batch.
 */
export class EventPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopping = false;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly pauseMs: number;

  constructor(
    private readonly db: DataSource,
    private readonly log: Logger,
    private readonly health: DatabaseHealth,
    private readonly retentionDays: number,
    options: PrunerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 3_600_000;
    this.batchSize = options.batchSize ?? 1_000;
    this.pauseMs = options.pauseMs ?? 100;
  }

  /** The first run comes a minute after start-up (or one interval, if shorter), then every interval. */
  start(): void {
    if (this.timer) return;
    this.stopping = false;
    this.timer = setTimeout(() => this.tick(), Math.min(60_000, this.intervalMs));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => 0);
  }

  /** Deletes every event older than the retention period; returns how many. */
  prune(now = new Date()): Promise<number> {
    this.running ??= this.deleteOlderThan(
      new Date(now.getTime() - this.retentionDays * DAY_MS),
    ).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private tick(): void {
    void this.prune()
      .catch((error: unknown) => {
        if (!this.health.failed(error, "background")) {
          this.log.warn({ err: error }, "could not prune old events");
        }
      })
      .finally(() => {
        if (this.stopping) return;
        this.timer = setTimeout(() => this.tick(), this.intervalMs);
        this.timer.unref();
      });
  }

  private async deleteOlderThan(cutoff: Date): Promise<number> {
    let total = 0;
    while (!this.stopping) {
      const deleted = (await this.db.query(
        `DELETE FROM events WHERE id IN (
           SELECT id FROM events WHERE created_at < $1 LIMIT $2)`,
        [cutoff, this.batchSize],
      )) as [unknown[], number];
      const count = deleted[1];
      total += count;
      if (count < this.batchSize) break;
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs).unref());
    }
    if (total > 0) this.log.info({ deleted: total, cutoff }, "pruned old events");
    return total;
  }
}
