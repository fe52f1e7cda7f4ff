/**
 * The audit trail's event types, Atlas's names (`GROUP` is Atlas's word for a project). The order
 * is the contract's; the database's CHECK constraint lists the same names.
 */
export enum EventType {
  API_KEY_CREATED = "API_KEY_CREATED",
  API_KEY_DELETED = "API_KEY_DELETED",
  API_KEY_DESCRIPTION_CHANGED = "API_KEY_DESCRIPTION_CHANGED",
  API_KEY_ROLES_CHANGED = "API_KEY_ROLES_CHANGED",
  API_KEY_ACCESS_LIST_ENTRY_ADDED = "API_KEY_ACCESS_LIST_ENTRY_ADDED",
  API_KEY_ACCESS_LIST_ENTRY_DELETED = "API_KEY_ACCESS_LIST_ENTRY_DELETED",
  API_KEY_ADDED_TO_GROUP = "API_KEY_ADDED_TO_GROUP",
  API_KEY_REMOVED_FROM_GROUP = "API_KEY_REMOVED_FROM_GROUP",
  API_KEY_SECRET_ROTATED = "API_KEY_SECRET_ROTATED",
  API_KEY_SECRET_REVOKED = "API_KEY_SECRET_REVOKED",
  API_KEY_ENABLED = "API_KEY_ENABLED",
  API_KEY_DISABLED = "API_KEY_DISABLED",
  API_KEY_EXPIRY_CHANGED = "API_KEY_EXPIRY_CHANGED",
  ORG_SETTINGS_CHANGED = "ORG_SETTINGS_CHANGED",
  ORG_MEMBER_ADDED = "ORG_MEMBER_ADDED",
  ORG_MEMBER_ROLES_CHANGED = "ORG_MEMBER_ROLES_CHANGED",
  ORG_MEMBER_REMOVED = "ORG_MEMBER_REMOVED",
  GROUP_CREATED = "GROUP_CREATED",
  GROUP_MEMBER_ADDED = "GROUP_MEMBER_ADDED",
  GROUP_MEMBER_ROLES_CHANGED = "GROUP_MEMBER_ROLES_CHANGED",
  GROUP_MEMBER_REMOVED = "GROUP_MEMBER_REMOVED",
}

export const EVENT_TYPES: readonly EventType[] = Object.values(EventType);

/** True when two role lists hold the same roles, whatever their order. */
export function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((role) => right.has(role));
}
