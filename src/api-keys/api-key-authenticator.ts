import type { DataSource } from "typeorm";
import type { ApiKeyPrincipal } from "../auth/principal";
import { secretDigest } from "../auth/session-token";
import { PRIVATE_KEY, PUBLIC_KEY, privateKeyMatches } from "./key-material";
import type { UsageRecorder } from "./usage-recorder";

export type KeyVerdict =
  | { outcome: "admitted"; principal: ApiKeyPrincipal }
  /** Unknown public key or wrong private key: the two are indistinguishable to the caller. */
  | { outcome: "invalid" }
  /** Right credentials from an address the key may not be used from. */
  | { outcome: "refused"; message: string };

interface KeyRow {
  id: string;
  organization_id: string;
  private_key_digest: Buffer;
  api_access_list_required: boolean;
  has_access_list: boolean;
  admitting_entry_id: string | null;
}

/**
 * Checks an API key's credentials and its access list against the client address in one SQL
 * statement: the key's digest, its organization's setting and the most specific access-list
 * entry containing the address (Postgres `cidr >>= inet`).
 */
export class ApiKeyAuthenticator {
  /** Digest compared when the public key is unknown, so both failures cost the same work. */
  private readonly dummyDigest: Buffer;

  constructor(
    private readonly db: DataSource,
    private readonly secret: string,
    private readonly usage: UsageRecorder,
  ) {
    this.dummyDigest = secretDigest(secret, "00000000-0000-4000-8000-000000000000");
  }

  async verify(publicKey: string, privateKey: string, clientAddress: string): Promise<KeyVerdict> {
    if (!PUBLIC_KEY.test(publicKey) || !PRIVATE_KEY.test(privateKey)) {
      privateKeyMatches(this.secret, privateKey, this.dummyDigest);
      return { outcome: "invalid" };
    }
    const rows: KeyRow[] = await this.db.query(
      `SELECT k.id, k.organization_id, k.private_key_digest, o.api_access_list_required,
              EXISTS (SELECT 1 FROM api_key_access_list_entries e WHERE e.api_key_id = k.id) AS has_access_list,
              (SELECT e.id FROM api_key_access_list_entries e
                WHERE e.api_key_id = k.id AND e.cidr_block >>= $2::inet
                ORDER BY masklen(e.cidr_block) DESC LIMIT 1) AS admitting_entry_id
         FROM api_keys k JOIN organizations o ON o.id = k.organization_id
        WHERE k.public_key = $1`,
      [publicKey, clientAddress],
    );
    const key = rows[0];
    const matches = privateKeyMatches(
      this.secret,
      privateKey,
      key?.private_key_digest ?? this.dummyDigest,
    );
    if (!key || !matches) return { outcome: "invalid" };

    if (key.has_access_list && !key.admitting_entry_id) {
      return {
        outcome: "refused",
        message: `Requests from ${clientAddress} are not on this API key's access list. Add the address, or a CIDR block that contains it, to the key's access list (addApiKeyAccessListEntries).`,
      };
    }
    if (!key.has_access_list && key.api_access_list_required) {
      return {
        outcome: "refused",
        message: `This API key has an empty access list and its organization requires one (apiAccessListRequired), so the request from ${clientAddress} was refused. Add ${clientAddress} to the key's access list, or have an organization owner turn the requirement off.`,
      };
    }
    this.usage.record(key.id, key.admitting_entry_id, clientAddress);
    return {
      outcome: "admitted",
      principal: { kind: "apiKey", apiKeyId: key.id, organizationId: key.organization_id },
    };
  }
}
