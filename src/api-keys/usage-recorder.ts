import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/metrics";
import type { DatabaseHealth } from "../db/database-health";

interface EntryUsage {
  apiKeyId: string;
  count: number;
  lastUsedAt: Date;
  lastUsedAddress: string;
}

/**
 * Usage counters of admitted key requests, kept off the hot path: requests add to an in-memory
 * buffer, and one statement per second writes the totals (access-list entries, secrets, keys).
 * Writes only move forward (`GREATEST` for times, `+ n` for counts), so overlapping flushes from
 * several instances compose. `stop()` flushes what is left, so a clean shutdown loses nothing; a
 * crash loses what was recorded since the last flush began (about a second). A batch that could
 * not reach the database is kept for the next flush (should the connection have died just as the
 * statement committed, that batch counts twice: rare, and better than dropping every outage's
 * last second). The metrics show how far behind the written figures are (the age of the oldest
 * usage not yet written) and how many writes failed.
 */
export class UsageRecorder {
  private pending = new Map<string, EntryUsage>();
  /** When each secret was last presented. */
  private pendingSecrets = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** When the oldest usage in `pending` happened (ms epoch); null while it is empty. */
  private pendingSince: number | null = null;
  /** The same for the batch being written. */
  private writingSince: number | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly health: DatabaseHealth,
    private readonly intervalMs = 1_000,
  ) {
    metrics.observeUsageBacklog(() => this.writingSince ?? this.pendingSince);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  record(
    apiKeyId: string,
    secretId: string,
    entryId: string | null,
    address: string,
    at = new Date(),
  ): void {
    this.pendingSecrets.set(secretId, at);
    // A key admitted without an access list (its organization does not require one) has no
    // entry to count against; its own lastUsedAt still moves.
    const slot = entryId ?? `key:${apiKeyId}`;
    this.pendingSince ??= at.getTime();
    const usage = this.pending.get(slot);
    if (usage) {
      usage.count += 1;
      usage.lastUsedAt = at;
      usage.lastUsedAddress = address;
    } else {
      this.pending.set(slot, { apiKeyId, count: 1, lastUsedAt: at, lastUsedAddress: address });
    }
  }

  /** Writes everything buffered so far; concurrent calls queue behind each other. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    const secrets = this.pendingSecrets;
    this.pending = new Map();
    this.writingSince = this.pendingSince;
    this.pendingSince = null;
    this.pendingSecrets = new Map();
    const entries = [...batch].filter(([slot]) => !slot.startsWith("key:"));
    const keys = new Map<string, Date>();
    for (const usage of batch.values()) {
      const seen = keys.get(usage.apiKeyId);
      if (!seen || seen < usage.lastUsedAt) keys.set(usage.apiKeyId, usage.lastUsedAt);
    }
    const startedAt = this.health.startRoundTrip();
    try {
      await this.db.query(
        `WITH entry_usage AS (
           UPDATE api_key_access_list_entries e
              SET usage_count = e.usage_count + u.count,
                  last_used_at = GREATEST(e.last_used_at, u.last_used_at),
                  last_used_address = CASE WHEN e.last_used_at IS NULL OR u.last_used_at >= e.last_used_at
                                           THEN u.last_used_address ELSE e.last_used_address END
             FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::inet[])
                  AS u(id, count, last_used_at, last_used_address)
            WHERE e.id = u.id
            RETURNING e.id),
         secret_usage AS (
           UPDATE api_key_secrets s
              SET last_used_at = GREATEST(s.last_used_at, u.last_used_at)
             FROM unnest($7::uuid[], $8::timestamptz[]) AS u(id, last_used_at)
            WHERE s.id = u.id
            RETURNING s.id)
         UPDATE api_keys k
            SET last_used_at = GREATEST(k.last_used_at, u.last_used_at)
           FROM unnest($5::uuid[], $6::timestamptz[]) AS u(id, last_used_at)
          WHERE k.id = u.id`,
        [
          entries.map(([id]) => id),
          entries.map(([, usage]) => usage.count),
          entries.map(([, usage]) => usage.lastUsedAt),
          entries.map(([, usage]) => usage.lastUsedAddress),
          [...keys.keys()],
          [...keys.values()],
          [...secrets.keys()],
          [...secrets.values()],
        ],
      );
      this.health.succeeded(startedAt);
    } catch (error) {
      // Usage figures are best effort: a lost batch must never fail or slow a request.
      this.metrics.usageFlushFailed();
      if (this.health.failed(error, "background")) this.requeue(batch, secrets, this.writingSince);
      else this.log.warn({ err: error, entries: batch.size }, "could not record API key usage");
    } finally {
      this.writingSince = null;
    }
  }

  /** Puts a batch back in front of what was recorded since, for the next flush to write. */
  private requeue(
    batch: Map<string, EntryUsage>,
    secrets: Map<string, Date>,
    since: number | null,
  ): void {
    for (const [slot, later] of this.pending) {
      const earlier = batch.get(slot);
      if (!earlier) batch.set(slot, later);
      else batch.set(slot, { ...later, count: earlier.count + later.count });
    }
    for (const [secretId, later] of this.pendingSecrets) {
      const earlier = secrets.get(secretId);
      if (!earlier || earlier < later) secrets.set(secretId, later);
    }
    this.pending = batch;
    this.pendingSecrets = secrets;
    if (since !== null) this.pendingSince = Math.min(since, this.pendingSince ?? since);
  }
}
