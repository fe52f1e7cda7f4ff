import { Client } from "pg";
import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import type { DatabaseHealth } from "../db/database-health";
import type { KeyChange, KeyChanges } from "./key-changes";
import type { VerifiedKeyCache } from "./verified-key-cache";

const CHANNEL = "keyfob_key_changes";

function isKeyChange(value: unknown): value is KeyChange {
  const change = value as Partial<Record<string, unknown>>;
  return (
    (change?.kind === "key" && typeof change.apiKeyId === "string") ||
    (change?.kind === "organization" && typeof change.organizationId === "string")
  );
}

/**
 * Carries key changes between instances through Postgres LISTEN/NOTIFY, so a deleted or narrowed
 * key is refused by every instance within moments. While the listening connection is down, the
 * verified-key cache is switched off (every request verifies against the database) and the
 * connection is retried; nothing cached before the outage is trusted after it.
 */
export class KeyChangeChannel {
  private client: Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly db: DataSource,
    private readonly keyChanges: KeyChanges,
    /** The caches that depend on hearing every change (verified keys, verified tokens). */
    private readonly cache: Pick<VerifiedKeyCache, "setEnabled">,
    private readonly log: Logger,
    private readonly health: DatabaseHealth,
  ) {
    keyChanges.setPublisher((change) => this.publish(change));
  }

  async start(): Promise<void> {
    this.cache.setEnabled(false);
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => {});
  }

  private async publish(change: KeyChange): Promise<void> {
    await this.db.query(`SELECT pg_notify($1, $2)`, [CHANNEL, JSON.stringify(change)]);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.databaseUrl,
      application_name: "keyfob-listen",
    });
    client.on("notification", (message) => {
      try {
        const change: unknown = JSON.parse(message.payload ?? "");
        if (isKeyChange(change)) this.keyChanges.deliver(change);
      } catch {
        this.log.warn("ignored a malformed key-change notification");
      }
    });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.cache.setEnabled(false);
      if (this.stopped) return;
      // Once per outage, since it changes how keys are verified; the cause goes to the health seam.
      const reason = error && !this.health.failed(error, "background") ? { err: error } : {};
      this.log.warn(
        reason,
        "lost the key-change channel; caching of verified keys is off until it is back",
      );
      this.retryTimer = setTimeout(() => void this.reconnect(), 1_000);
      this.retryTimer.unref();
    };
    client.on("error", lost);
    client.on("end", () => lost());
    const startedAt = this.health.startRoundTrip();
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.client = client;
    this.cache.setEnabled(true);
    this.health.succeeded(startedAt);
  }

  private async reconnect(): Promise<void> {
    try {
      await this.connect();
      this.log.info("key-change channel restored; caching of verified keys is back on");
    } catch (error) {
      if (!this.health.failed(error, "background")) {
        this.log.warn({ err: error }, "could not restore the key-change channel; retrying");
      }
      this.retryTimer = setTimeout(() => void this.reconnect(), 2_000);
      this.retryTimer.unref();
    }
  }
}
