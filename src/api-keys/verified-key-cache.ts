import type { Metrics } from "../metrics/metrics";
import type { ApiKeyEntity } from "./api-key.entity";
import type { ParsedBlock } from "./cidr";
import type { SecretMatcher } from "./key-material";
import { InvalidationLog } from "./invalidation-log";
import { changeConcerns, type KeyChange } from "./key-changes";

/** One of a key's secrets, as the check needs it. */
export interface VerifiedSecret {
  readonly id: string;
  readonly digest: Buffer;
  /** Epoch milliseconds; null = lives as long as the key. */
  readonly expiresAt: number | null;
}

/**
 * What verifying a key needs, as loaded by the authenticator's one SQL statement. Expiry instants
 * travel with it and are checked on every request, so a cached key never outlives its expiry or
 * a secret its grace period.
 */
export interface VerifiedKey {
  readonly key: ApiKeyEntity;
  /** `key.expiresAt` in epoch milliseconds, for the per-request check. */
  readonly expiresAtMs: number | null;
  readonly enabled: boolean;
  /** Every secret of the key, ended or not, with what the entry remembers of matches. */
  readonly secrets: SecretMatcher<VerifiedSecret>;
  readonly accessListRequired: boolean;
  /** The access list, each block parsed once when the key is loaded. */
  readonly entries: readonly { id: string; block: ParsedBlock }[];
}

/**
 * An in-process cache of keys by public key, so a programmatic request usually costs no SQL.
 * Entries live a short time and are dropped at once on any change to the key (its roles,
 * assignments, access list, secrets, expiry, enabled state) or to its organization's setting
 * (`KeyChanges`, and through Postgres LISTEN/NOTIFY on every other instance). The passing of an
 * expiry needs no message: the instants are in the entry.
 *
 * A fill that raced an invalidation of the same key (or its organization) is discarded: a value
 * read before such a change is never stored after it (`InvalidationLog`).
 */
export class VerifiedKeyCache {
  private readonly entries = new Map<string, { value: VerifiedKey; expiresAt: number }>();
  private readonly invalidations = new InvalidationLog();
  /** False while cross-instance invalidations cannot be received: then nothing is cached. */
  private enabled: boolean;

  constructor(
    private readonly ttlMs: number,
    private readonly metrics: Metrics,
    private readonly maxEntries = 10_000,
    enabled = true,
  ) {
    this.enabled = enabled;
    metrics.observeVerifiedKeyCache(() => ({ entries: this.entries.size, enabled: this.enabled }));
  }

  get(publicKey: string): VerifiedKey | undefined {
    const entry = this.entries.get(publicKey);
    const hit = entry !== undefined && entry.expiresAt > Date.now();
    this.metrics.verifiedKeyLookup(hit);
    if (entry && !hit) this.entries.delete(publicKey);
    return hit ? entry.value : undefined;
  }

  /** The current generation, taken before reading from the database. */
  ticket(): number {
    return this.invalidations.ticket();
  }

  set(publicKey: string, value: VerifiedKey, ticket: number): void {
    if (
      !this.enabled ||
      !this.invalidations.unchangedSince(ticket, value.key.id, value.key.organizationId)
    ) {
      return;
    }
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest.
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(publicKey, { value, expiresAt: Date.now() + this.ttlMs });
  }

  invalidate(change: KeyChange): void {
    this.invalidations.record(change);
    for (const [publicKey, entry] of this.entries) {
      if (changeConcerns(change, entry.value.key)) this.entries.delete(publicKey);
    }
  }

  /** Turns caching on or off; either way everything cached so far is forgotten. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.invalidations.record(null);
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
