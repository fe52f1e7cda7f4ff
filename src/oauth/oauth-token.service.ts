import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import { inMemoryDigest } from "../auth/in-memory-digest";
import type { ApiKeyPrincipal } from "../auth/principal";
import type { ClientAddress } from "../api-keys/cidr";
import {
  accessListOf,
  admitKey,
  KEY_CHECK_COLUMNS,
  keyEntityOf,
  type KeyCheckRow,
} from "../api-keys/key-check-row";
import type { KeyChanges } from "../api-keys/key-changes";
import type { UsageRecorder } from "../api-keys/usage-recorder";
import type { DatabaseHealth } from "../db/database-health";
import { accessTokenDigest, generateAccessToken, isWellFormedAccessToken } from "./access-token";
import type { VerifiedToken, VerifiedTokenCache } from "./verified-token-cache";

export type TokenVerdict =
  | { outcome: "admitted"; principal: ApiKeyPrincipal }
  /** Malformed, unknown, expired, revoked, or its key or secret ended: all look the same. */
  | { outcome: "invalid" }
  /** A live token from an address its key's access list does not admit (HTTP 403). */
  | { outcome: "refused"; message: string };

export interface IssuedToken {
  accessToken: string;
  /** Seconds, as `expires_in` says it; the stored expiry is exactly this far from issue. */
  expiresIn: number;
}

/** Expired rows deleted per statement, and statements per pruning round. */
const PRUNE_BATCH = 1_000;
const PRUNE_BATCHES_PER_ROUND = 10;
const PRUNE_INTERVAL_MS = 60_000;

interface TokenRow extends KeyCheckRow {
  secret_id: string;
  ends_at: Date;
}

/**
 * OAuth 2.0 access tokens of API keys (client-credentials grant): issues them, verifies them for
 * `Authorization: Bearer kfa_…`, revokes them and prunes expired ones.
 *
 * A token ends at the earliest of its expiry, its key's expiry and its secret's end of grace, and
 * at once when its key is disabled or deleted or its secret revoked or rotated out: the verifying
 * statement joins the key and the secret and checks all of it, and deleted keys and secrets take
 * their tokens with them (cascades). The key's access list is checked on every request, against
 * the list as it is now. Verified tokens are cached briefly (`VerifiedTokenCache`, dropped on any
 * change announced for their key), so most requests cost no SQL.
 */
export class OAuthTokenService {
  private pruneTimer: NodeJS.Timeout | undefined;
  private pruning: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    private readonly secret: string,
    private readonly ttlSeconds: number,
    private readonly cache: VerifiedTokenCache,
    private readonly usage: UsageRecorder,
    private readonly keyChanges: KeyChanges,
    private readonly log: Logger,
    private readonly health: DatabaseHealth,
  ) {}

  /**
   * A new token for a key whose credentials were just verified, or null when the key or secret
   * ended in the meantime. One statement: the lifetime is capped, in the database, by the key's
   * and the secret's current expiry.
   */
  async issue(apiKeyId: string, secretId: string): Promise<IssuedToken | null> {
    const accessToken = generateAccessToken();
    const rows: { expires_in: number }[] = await this.db.query(
      `WITH granted AS (
         SELECT k.id AS api_key_id, s.id AS secret_id,
                LEAST($4::int,
                      floor(extract(epoch FROM k.expires_at - now())),
                      floor(extract(epoch FROM s.expires_at - now())))::int AS seconds
           FROM api_keys k JOIN api_key_secrets s ON s.api_key_id = k.id
          WHERE k.id = $2 AND s.id = $3 AND k.enabled
            AND (k.expires_at IS NULL OR k.expires_at > now())
            AND (s.expires_at IS NULL OR s.expires_at > now()))
       INSERT INTO oauth_access_tokens (digest, api_key_id, secret_id, created_at, expires_at)
       SELECT $1, api_key_id, secret_id, now(), now() + seconds * interval '1 second' FROM granted
       RETURNING (SELECT seconds FROM granted) AS expires_in`,
      [accessTokenDigest(this.secret, accessToken), apiKeyId, secretId, this.ttlSeconds],
    );
    return rows[0] ? { accessToken, expiresIn: rows[0].expires_in } : null;
  }

  /**
   * Verifies a bearer access token from `client`; records the key's use when admitted. A cached
   * token is answered at once, without a promise.
   */
  verify(token: string, client: ClientAddress): TokenVerdict | Promise<TokenVerdict> {
    if (!isWellFormedAccessToken(token)) return { outcome: "invalid" };
    // The keyed digest, the one the database holds, is only worked out on a cache miss.
    const cacheKey = inMemoryDigest(token);
    const cached = this.cache.get(cacheKey);
    if (cached) return this.judge(cached, client);
    return this.load(token, cacheKey).then((loaded) => this.judge(loaded, client));
  }

  private judge(verified: VerifiedToken | null, client: ClientAddress): TokenVerdict {
    const now = Date.now();
    if (!verified || verified.endsAtMs <= now) return { outcome: "invalid" };
    return admitKey(verified, verified.secretId, client, this.usage, now);
  }

  /**
   * Revokes `token` if it is one of `apiKeyId`'s (RFC 7009): anything else, another key's token
   * included, is left alone, and the caller cannot tell the difference. Every instance drops it.
   */
  async revoke(apiKeyId: string, token: string): Promise<void> {
    if (!isWellFormedAccessToken(token)) return;
    const digest = accessTokenDigest(this.secret, token);
    const [deleted]: [{ id: string }[], number] = await this.db.query(
      `DELETE FROM oauth_access_tokens WHERE digest = $1 AND api_key_id = $2 RETURNING id`,
      [digest, apiKeyId],
    );
    if (deleted.length === 0) return;
    this.cache.delete(inMemoryDigest(token), apiKeyId);
    // Other instances hear of it as a change to the key: they drop its cached tokens.
    await this.keyChanges.keyChanged(apiKeyId);
  }

  /** Deletes expired tokens in bounded batches; returns how many went. */
  async prune(): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < PRUNE_BATCHES_PER_ROUND; batch++) {
      const [, count]: [unknown, number] = await this.db.query(
        `DELETE FROM oauth_access_tokens WHERE id IN (
           SELECT id FROM oauth_access_tokens WHERE expires_at <= now()
            ORDER BY expires_at LIMIT $1)`,
        [PRUNE_BATCH],
      );
      total += count;
      if (count < PRUNE_BATCH) break;
    }
    return total;
  }

  /** Prunes once a minute in the background (the timer does not keep the process alive). */
  start(): void {
    this.pruneTimer ??= setInterval(() => {
      this.pruning = this.pruning.then(() => this.pruneInBackground());
    }, PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
    await this.pruning;
  }

  private async pruneInBackground(): Promise<void> {
    try {
      const pruned = await this.prune();
      if (pruned > 0) this.log.debug({ pruned }, "pruned expired OAuth access tokens");
    } catch (error) {
      if (!this.health.failed(error, "background")) {
        this.log.warn({ err: error }, "could not prune expired OAuth access tokens");
      }
    }
  }

  private async load(token: string, cacheKey: string): Promise<VerifiedToken | null> {
    const ticket = this.cache.ticket();
    const rows: TokenRow[] = await this.db.query(
      `SELECT t.secret_id, LEAST(t.expires_at, k.expires_at, s.expires_at) AS ends_at,
              ${KEY_CHECK_COLUMNS}
         FROM oauth_access_tokens t
         JOIN api_keys k ON k.id = t.api_key_id
         JOIN api_key_secrets s ON s.id = t.secret_id
         JOIN organizations o ON o.id = k.organization_id
        WHERE t.digest = $1 AND t.expires_at > now() AND k.enabled
          AND (k.expires_at IS NULL OR k.expires_at > now())
          AND (s.expires_at IS NULL OR s.expires_at > now())`,
      [accessTokenDigest(this.secret, token)],
    );
    const row = rows[0];
    if (!row) return null;
    const verified: VerifiedToken = {
      key: keyEntityOf(row),
      secretId: row.secret_id,
      endsAtMs: row.ends_at.getTime(),
      accessListRequired: row.api_access_list_required,
      entries: accessListOf(row),
    };
    this.cache.set(cacheKey, verified, ticket);
    return verified;
  }
}
