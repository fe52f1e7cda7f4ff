import { ApiKeyEntity } from "./api-key.entity";
import { parseBlock, type ParsedBlock } from "./cidr";

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

export function accessListOf(row: KeyCheckRow): { id: string; block: ParsedBlock }[] {
  return row.entries.map((entry) => ({ id: entry.id, block: parseBlock(entry.cidrBlock) }));
}
