import type { DataSource } from "typeorm";
import type { ApiKeyPrincipal } from "../auth/principal";
import { secretDigest } from "../auth/session-token";
import { ApiKeyEntity } from "./api-key.entity";
import { mostSpecificBlock, parseBlock, type ClientAddress } from "./cidr";
import { PRIVATE_KEY, PUBLIC_KEY, privateKeyMatches } from "./key-material";
import type { UsageRecorder } from "./usage-recorder";
import type { VerifiedKey, VerifiedKeyCache } from "./verified-key-cache";

export type KeyVerdict =
  | { outcome: "admitted"; principal: ApiKeyPrincipal }
  /** Unknown public key or wrong private key: the two are indistinguishable to the caller. */
  | { outcome: "invalid" }
  /** Right credentials from an address the key may not be used from. */
  | { outcome: "refused"; message: string };

interface KeyRow {
  id: string;
  organization_id: string;
  public_key: string;
  private_key_digest: Buffer;
  private_key_tail: string;
  description: string;
  roles: ApiKeyEntity["roles"];
  created_at: Date;
  last_used_at: Date | null;
  api_access_list_required: boolean;
  entries: { id: string; cidrBlock: string }[];
}

/**
 * Verifies an API key: its private key against the stored digest (constant time), then the client
 * address against its access list and its organization's setting. On a cold cache that takes one
 * SQL statement, which returns the key, the setting and the whole access list; verified keys are
 * then cached briefly (`VerifiedKeyCache`), so most requests cost no SQL at all.
 */
export class ApiKeyAuthenticator {
  /** Digest compared when the public key is unknown, so both failures cost the same work. */
  private readonly dummyDigest: Buffer;

  constructor(
    private readonly db: DataSource,
    private readonly secret: string,
    private readonly usage: UsageRecorder,
    private readonly cache: VerifiedKeyCache,
  ) {
    this.dummyDigest = secretDigest(secret, "00000000-0000-4000-8000-000000000000");
  }

  async verify(publicKey: string, privateKey: string, client: ClientAddress): Promise<KeyVerdict> {
    if (!PUBLIC_KEY.test(publicKey) || !PRIVATE_KEY.test(privateKey)) {
      privateKeyMatches(this.secret, privateKey, this.dummyDigest);
      return { outcome: "invalid" };
    }
    const verified = this.cache.get(publicKey) ?? (await this.load(publicKey));
    const digest = verified?.key.privateKeyDigest ?? this.dummyDigest;
    if (!privateKeyMatches(this.secret, privateKey, digest) || !verified) {
      return { outcome: "invalid" };
    }

    const admitting = mostSpecificBlock(verified.entries, client);
    const clientAddress = client.text;
    if (verified.entries.length > 0 && !admitting) {
      return {
        outcome: "refused",
        message: `Requests from ${clientAddress} are not on this API key's access list. Add the address, or a CIDR block that contains it, to the key's access list (addApiKeyAccessListEntries).`,
      };
    }
    if (verified.entries.length === 0 && verified.accessListRequired) {
      return {
        outcome: "refused",
        message: `This API key has an empty access list and its organization requires one (apiAccessListRequired), so the request from ${clientAddress} was refused. Add ${clientAddress} to the key's access list, or have an organization owner turn the requirement off.`,
      };
    }
    const now = new Date();
    this.usage.record(verified.key.id, admitting?.id ?? null, clientAddress, now);
    return {
      outcome: "admitted",
      principal: {
        kind: "apiKey",
        apiKeyId: verified.key.id,
        organizationId: verified.key.organizationId,
        // This very request is the key's latest use, whatever the database says yet.
        key: Object.assign(new ApiKeyEntity(), verified.key, { lastUsedAt: now }),
      },
    };
  }

  private async load(publicKey: string): Promise<VerifiedKey | null> {
    const ticket = this.cache.ticket();
    const rows: KeyRow[] = await this.db.query(
      `SELECT k.id, k.organization_id, k.public_key, k.private_key_digest, k.private_key_tail,
              k.description, k.roles, k.created_at, k.last_used_at, o.api_access_list_required,
              COALESCE((SELECT json_agg(json_build_object('id', e.id, 'cidrBlock', e.cidr_block::text))
                          FROM api_key_access_list_entries e WHERE e.api_key_id = k.id), '[]') AS entries
         FROM api_keys k JOIN organizations o ON o.id = k.organization_id
        WHERE k.public_key = $1`,
      [publicKey],
    );
    const row = rows[0];
    if (!row) return null;
    const verified: VerifiedKey = {
      key: Object.assign(new ApiKeyEntity(), {
        id: row.id,
        organizationId: row.organization_id,
        publicKey: row.public_key,
        privateKeyDigest: row.private_key_digest,
        privateKeyTail: row.private_key_tail,
        description: row.description,
        roles: row.roles,
        createdAt: row.created_at,
        lastUsedAt: row.last_used_at,
      }),
      accessListRequired: row.api_access_list_required,
      entries: row.entries.map((entry) => ({ id: entry.id, block: parseBlock(entry.cidrBlock) })),
    };
    this.cache.set(publicKey, verified, ticket);
    return verified;
  }
}
