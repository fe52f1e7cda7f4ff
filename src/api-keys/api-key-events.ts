import type { EventFact } from "../audit/event-writer";
import { EventType, sameRoles } from "../audit/event-kinds";
import type { ApiKeyEntity } from "./api-key.entity";

/** The facts the audit trail records about keys: pure, so each mutation states them in one line. */

export interface InsertedKey {
  key: ApiKeyEntity;
  privateKey: string;
  /** The CIDR blocks of the access list it was created with. */
  accessList: string[];
}

/** A new key's events: its creation with its organization roles, then each access-list entry. */
export function creationFacts(created: InsertedKey, projectId: string | null = null): EventFact[] {
  const { key } = created;
  const about = { organizationId: key.organizationId, apiKey: key, projectId };
  return [
    { ...about, type: EventType.API_KEY_CREATED, roles: key.roles },
    ...created.accessList.map((cidrBlock) => ({
      ...about,
      type: EventType.API_KEY_ACCESS_LIST_ENTRY_ADDED,
      accessListEntry: cidrBlock,
    })),
  ];
}

/** One event per aspect that `changes` really changes; an unchanged aspect records nothing. */
export function updateFacts(before: ApiKeyEntity, changes: Partial<ApiKeyEntity>): EventFact[] {
  const about = { organizationId: before.organizationId, apiKey: before };
  const facts: EventFact[] = [];
  if (changes.description !== undefined && changes.description !== before.description) {
    facts.push({ ...about, type: EventType.API_KEY_DESCRIPTION_CHANGED });
  }
  if (changes.roles !== undefined && !sameRoles(changes.roles, before.roles)) {
    facts.push({ ...about, type: EventType.API_KEY_ROLES_CHANGED, roles: changes.roles });
  }
  if (changes.enabled !== undefined && changes.enabled !== before.enabled) {
    const type = changes.enabled ? EventType.API_KEY_ENABLED : EventType.API_KEY_DISABLED;
    facts.push({ ...about, type });
  }
  if (
    changes.expiresAt !== undefined &&
    (changes.expiresAt?.getTime() ?? null) !== (before.expiresAt?.getTime() ?? null)
  ) {
    facts.push({ ...about, type: EventType.API_KEY_EXPIRY_CHANGED });
  }
  return facts;
}
