import { ApiKeyEntity } from "./api-key.entity";
import type { ApiKeyPrincipal } from "../auth/principal";
import { checkAccessList } from "./access-list-check";
import { parseBlock, type ClientAddress, type ParsedBlock } from "./cidr";
import type { UsageRecorder } from "./usage-recorder";

/**
 * What both credential checks (HTTP Basic and OAuth access tokens) read of a key in their one SQL
 * statement: the key, its organization's access-list requirement and its whole access list. Kept
 * in one place so the two checks cannot drift apart on what a verified key carries.
 */
export interface KeyCheckRow {
  id: string;
  organization_id: string;
  public_key: string;
  description: string;
  roles: ApiKeyEntity["roles"];
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  enabled: boolean;
  api_access_list_required: boolean;
  entries: { id: string; cidrBlock: string }[];
}

/** The select list for `KeyCheckRow`, over `api_keys k JOIN organizations o`. */
export const KEY_CHECK_COLUMNS = `k.id, k.organization_id, k.public_key, k.description, k.roles, k.created_at,
              k.last_used_at, k.expires_at, k.enabled, o.api_access_list_required,
              COALESCE((SELECT json_agg(json_build_object('id', e.id, 'cidrBlock', e.cidr_block::text))
                          FROM api_key_access_list_entries e WHERE e.api_key_id = k.id), '[]') AS entries`;

export function keyEntityOf(row: KeyCheckRow): ApiKeyEntity {
  return Object.assign(new ApiKeyEntity(), {
    id: row.id,
    organizationId: row.organization_id,
    publicKey: row.public_key,
    description: row.description,
    roles: row.roles,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    enabled: row.enabled,
  });
}

/**
 * The last step of both checks, once the credential itself is good: the access list and its
 * organization's requirement, then the use recorded and the principal made, or the refusal.
 */
export function admitKey(
  verified: {
    readonly key: ApiKeyEntity;
    readonly accessListRequired: boolean;
    readonly entries: readonly { id: string; block: ParsedBlock }[];
  },
  secretId: string,
  client: ClientAddress,
  usage: UsageRecorder,
  now: number,
): { outcome: "admitted"; principal: ApiKeyPrincipal } | { outcome: "refused"; message: string } {
  const access = checkAccessList(verified.entries, verified.accessListRequired, client);
  if (!access.admitted) return { outcome: "refused", message: access.message };
  const usedAt = new Date(now);
  usage.record(verified.key.id, secretId, access.entryId, client.text, usedAt);
  return {
    outcome: "admitted",
    principal: {
      kind: "apiKey",
      apiKeyId: verified.key.id,
      organizationId: verified.key.organizationId,
      secretId,
      key: verified.key,
      usedAt,
    },
  };
}

export function accessListOf(row: KeyCheckRow): { id: string; block: ParsedBlock }[] {
  return row.entries.map((entry) => ({ id: entry.id, block: parseBlock(entry.cidrBlock) }));
}
