import type { DataSource } from "typeorm";
import type { ApiKeyPrincipal } from "../auth/principal";
import { secretDigest } from "../auth/session-token";
import type { ClientAddress } from "./cidr";
import {
  accessListOf,
  admitKey,
  KEY_CHECK_COLUMNS,
  keyEntityOf,
  type KeyCheckRow,
} from "./key-check-row";
import { isLiveSecret, keyRefusal, refusalMessage } from "./key-lifecycle";
import { PRIVATE_KEY, PUBLIC_KEY, SecretMatcher, matchingSecret } from "./key-material";
import type { UsageRecorder } from "./usage-recorder";
import type { VerifiedKey, VerifiedKeyCache, VerifiedSecret } from "./verified-key-cache";

export type KeyVerdict =
  | { outcome: "admitted"; principal: ApiKeyPrincipal }
  /**
   * Unknown public key, wrong private key, or a secret past its end (rotated out or revoked): all
   * indistinguishable to the caller, since a retired secret may be retired because it leaked.
   */
  | { outcome: "invalid" }
  /** Right credentials, but the key is disabled or expired (HTTP 401, saying which). */
  | { outcome: "unusable"; message: string }
  /** Right credentials from an address the key may not be used from. */
  | { outcome: "refused"; message: string };

interface KeyRow extends KeyCheckRow {
  secrets: { id: string; digest: string; expiresAt: string | null }[];
}

/**
 * Verifies an API key: its private key against the digests of its secrets (constant time), the
 * secret's and the key's expiry and the key's enabled state, then the client address against its
 * access list and its organization's setting. On a cold cache that takes one SQL statement, which
 * returns the key, the setting, the access list and the secrets; verified keys are then cached
 * briefly (`VerifiedKeyCache`), so most requests cost no SQL at all.
 */
export class ApiKeyAuthenticator {
  /** Compared when the public key is unknown, so both failures cost the same work. */
  private readonly dummySecrets: readonly VerifiedSecret[];

  constructor(
    private readonly db: DataSource,
    private readonly secret: string,
    private readonly usage: UsageRecorder,
    private readonly cache: VerifiedKeyCache,
  ) {
    const digest = secretDigest(secret, "00000000-0000-4000-8000-000000000000");
    this.dummySecrets = [{ id: "", digest, expiresAt: null }];
  }

  /** A cached key is answered at once, without a promise: most requests wait for nothing. */
  verify(
    publicKey: string,
    privateKey: string,
    client: ClientAddress,
  ): KeyVerdict | Promise<KeyVerdict> {
    if (!PUBLIC_KEY.test(publicKey) || !PRIVATE_KEY.test(privateKey)) {
      matchingSecret(this.secret, privateKey, this.dummySecrets);
      return { outcome: "invalid" };
    }
    const cached = this.cache.get(publicKey);
    if (cached) return this.judge(cached, privateKey, client);
    return this.load(publicKey).then((loaded) => this.judge(loaded, privateKey, client));
  }

  private judge(
    verified: VerifiedKey | null,
    privateKey: string,
    client: ClientAddress,
  ): KeyVerdict {
    const secret = verified
      ? verified.secrets.match(privateKey)
      : matchingSecret(this.secret, privateKey, this.dummySecrets);
    const now = Date.now();
    if (!verified || !secret || !isLiveSecret(secret, now)) return { outcome: "invalid" };
    const refusal = keyRefusal(verified, now);
    if (refusal) {
      return { outcome: "unusable", message: refusalMessage(refusal, verified.expiresAtMs) };
    }
    return admitKey(verified, secret.id, client, this.usage, now);
  }

  private async load(publicKey: string): Promise<VerifiedKey | null> {
    const ticket = this.cache.ticket();
    // Every secret row comes back, ended or not: liveness is judged per request, on one clock.
    const rows: KeyRow[] = await this.db.query(
      `SELECT ${KEY_CHECK_COLUMNS},
              COALESCE((SELECT json_agg(json_build_object('id', s.id, 'digest', encode(s.digest, 'base64'),
                                                          'expiresAt', s.expires_at))
                          FROM api_key_secrets s WHERE s.api_key_id = k.id), '[]') AS secrets
         FROM api_keys k JOIN organizations o ON o.id = k.organization_id
        WHERE k.public_key = $1`,
      [publicKey],
    );
    const row = rows[0];
    if (!row) return null;
    const verified: VerifiedKey = {
      key: keyEntityOf(row),
      expiresAtMs: row.expires_at?.getTime() ?? null,
      enabled: row.enabled,
      secrets: new SecretMatcher(
        this.secret,
        row.secrets.map((secret) => ({
          id: secret.id,
          digest: Buffer.from(secret.digest, "base64"),
          expiresAt: secret.expiresAt === null ? null : Date.parse(secret.expiresAt),
        })),
      ),
      accessListRequired: row.api_access_list_required,
      entries: accessListOf(row),
    };
    this.cache.set(publicKey, verified, ticket);
    return verified;
  }
}
