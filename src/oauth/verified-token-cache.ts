import type { ApiKeyEntity } from "../api-keys/api-key.entity";
import type { ParsedBlock } from "../api-keys/cidr";
import { InvalidationLog } from "../api-keys/invalidation-log";
import { changeConcerns, type KeyChange } from "../api-keys/key-changes";

/** What admitting a request with an access token needs, as the verifying statement loads it. */
export interface VerifiedToken {
  readonly key: ApiKeyEntity;
  readonly secretId: string;
  /**
   * Epoch milliseconds at which the token ends: the earliest of its own expiry, the key's expiry
   * and the secret's end (of grace), checked on every request.
   */
  readonly endsAtMs: number;
  readonly accessListRequired: boolean;
  readonly entries: readonly { id: string; block: ParsedBlock }[];
}

/**
 * Verified access tokens by their `inMemoryDigest`, like `VerifiedKeyCache` for keys: entries
 * live a short time, never past the token's end, and every change announced for the key
 * (deletion, suspension, secrets, access list, a revoked token) or its organization (the
 * access-list requirement) drops them at once, on every instance through the key-change
 * channel. While the channel is down nothing is cached. A fill that raced an invalidation is discarded (`ticket`).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { value: VerifiedToken; expiresAt: number }>();
  private readonly invalidations = new InvalidationLog();
  private enabled: boolean;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    enabled = true,
  ) {
    this.enabled = enabled;
  }

  get(digest: string, now = Date.now()): VerifiedToken | undefined {
    const entry = this.entries.get(digest);
    if (entry && entry.expiresAt > now) return entry.value;
    if (entry) this.entries.delete(digest);
    return undefined;
  }

  ticket(): number {
    return this.invalidations.ticket();
  }

  set(digest: string, value: VerifiedToken, ticket: number, now = Date.now()): void {
    if (
      !this.enabled ||
      !this.invalidations.unchangedSince(ticket, value.key.id, value.key.organizationId)
    ) {
      return;
    }
    if (this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(digest, { value, expiresAt: Math.min(now + this.ttlMs, value.endsAtMs) });
  }

  /** Drops one token of `apiKeyId` (revoked here; other instances hear of it as a change to its key). */
  delete(digest: string, apiKeyId: string): void {
    this.invalidations.record({ kind: "key", apiKeyId });
    this.entries.delete(digest);
  }

  invalidate(change: KeyChange): void {
    this.invalidations.record(change);
    for (const [digest, entry] of this.entries) {
      if (changeConcerns(change, entry.value.key)) this.entries.delete(digest);
    }
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.invalidations.record(null);
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
