import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from "typeorm";

/**
 * One row of the audit trail, written by `EventWriter` in the transaction of the change it
 * records, never updated (a trigger refuses UPDATE), deleted only by retention pruning.
 *
 * Every id column is a plain id with no foreign key, on purpose. A deleted key's or user's events
 * keep the id (so `filter: {apiKeyId}` still finds a deleted key's history, its deletion
 * included) while the GraphQL fields resolve to null and the labels stay; no ON DELETE action
 * ever updates an event. And writing an event takes no lock on another row: a foreign key to
 * `organizations` would take FOR KEY SHARE on the organization, which deadlocks against a
 * removal from the organization (it holds the organization row FOR UPDATE and waits for the
 * membership the adding transaction holds). Organizations are never deleted.
 */
@Entity({ name: "events" })
@Index("events_organization_page_idx", ["organizationId", "createdAt", "id"])
@Index("events_organization_type_idx", ["organizationId", "type", "createdAt", "id"])
@Index("events_target_api_key_idx", ["targetApiKeyId", "createdAt", "id"])
@Index("events_project_page_idx", ["projectId", "createdAt", "id"])
// BRIN over created_at, for retention pruning only: rows arrive in time order, so it is tiny and
// finds the oldest rows at once, and, unlike a btree, the planner never takes it to order a page
// (a btree on created_at alone beat the organization index for large tenants). TypeORM cannot
// describe a BRIN index, so the migration owns it.
@Index("events_created_at_idx", { synchronize: false })
@Check(
  "events_type_check",
  `type IN ('API_KEY_CREATED','API_KEY_DELETED','API_KEY_DESCRIPTION_CHANGED','API_KEY_ROLES_CHANGED','API_KEY_ACCESS_LIST_ENTRY_ADDED','API_KEY_ACCESS_LIST_ENTRY_DELETED','API_KEY_ADDED_TO_GROUP','API_KEY_REMOVED_FROM_GROUP','API_KEY_SECRET_ROTATED','API_KEY_SECRET_REVOKED','API_KEY_ENABLED','API_KEY_DISABLED','API_KEY_EXPIRY_CHANGED','ORG_SETTINGS_CHANGED','ORG_MEMBER_ADDED','ORG_MEMBER_ROLES_CHANGED','ORG_MEMBER_REMOVED','GROUP_CREATED','GROUP_MEMBER_ADDED','GROUP_MEMBER_ROLES_CHANGED','GROUP_MEMBER_REMOVED')`,
)
@Check("events_actor_check", `(actor_user_id IS NULL) <> (actor_api_key_id IS NULL)`)
export class EventEntity {
  /** A UUID version 7 made by the writer, so events of one transaction keep their order. */
  @PrimaryColumn({ type: "uuid", primaryKeyConstraintName: "events_pkey" })
  id!: string;

  @Column({ name: "organization_id", type: "uuid" })
  organizationId!: string;

  @Column({ name: "project_id", type: "uuid", nullable: true })
  projectId!: string | null;

  @Column({ type: "text" })
  type!: string;

  /** The transaction's start (`now()`): every event of one change has the same instant. */
  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;

  @Column({ name: "actor_user_id", type: "uuid", nullable: true })
  actorUserId!: string | null;

  @Column({ name: "actor_api_key_id", type: "uuid", nullable: true })
  actorApiKeyId!: string | null;

  /** The actor's email or public key at the time. */
  @Column({ name: "actor_label", type: "text" })
  actorLabel!: string;

  @Column({ name: "remote_address", type: "text" })
  remoteAddress!: string;

  @Column({ name: "target_api_key_id", type: "uuid", nullable: true })
  targetApiKeyId!: string | null;

  @Column({ name: "target_public_key", type: "text", nullable: true })
  targetPublicKey!: string | null;

  @Column({ name: "target_user_id", type: "uuid", nullable: true })
  targetUserId!: string | null;

  @Column({ type: "text", array: true, nullable: true })
  roles!: string[] | null;

  @Column({ name: "access_list_entry", type: "text", nullable: true })
  accessListEntry!: string | null;
}
