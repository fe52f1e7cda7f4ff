import type { SelectQueryBuilder } from "typeorm";
import type { ApiKeyEntity } from "./api-key.entity";
import type { ApiKeyFilter } from "./api-key.inputs";

/** `term` as a LIKE pattern that matches it literally anywhere: `%` and `_` are no wildcards. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * Narrows a key list (`alias` is the keys' alias in `query`) by every field the filter sets.
 * The substring search is served by `api_keys_search_idx` (pg_trgm GIN over description and
 * public key); the other conditions only ever scan one organization's keys.
 */
export function applyApiKeyFilter(
  query: SelectQueryBuilder<ApiKeyEntity>,
  alias: string,
  filter: ApiKeyFilter | null | undefined,
): SelectQueryBuilder<ApiKeyEntity> {
  if (!filter) return query;
  if (filter.search) {
    query.andWhere(`(${alias}.description ILIKE :search OR ${alias}.public_key ILIKE :search)`, {
      search: containsPattern(filter.search),
    });
  }
  if (filter.enabled !== undefined && filter.enabled !== null) {
    query.andWhere(`${alias}.enabled = :enabled`, { enabled: filter.enabled });
  }
  if (filter.expiresBefore) {
    query.andWhere(`${alias}.expires_at < :expiresBefore`, { expiresBefore: filter.expiresBefore });
  }
  if (filter.unusedSince) {
    query.andWhere(`(${alias}.last_used_at IS NULL OR ${alias}.last_used_at < :unusedSince)`, {
      unusedSince: filter.unusedSince,
    });
  }
  return query;
}
