import type { MigrationInterface, QueryRunner } from "typeorm";

const EVENT_TYPES = [
  "API_KEY_CREATED",
  "API_KEY_DELETED",
  "API_KEY_DESCRIPTION_CHANGED",
  "API_KEY_ROLES_CHANGED",
  "API_KEY_ACCESS_LIST_ENTRY_ADDED",
  "API_KEY_ACCESS_LIST_ENTRY_DELETED",
  "API_KEY_ADDED_TO_GROUP",
  "API_KEY_REMOVED_FROM_GROUP",
  "API_KEY_SECRET_ROTATED",
  "API_KEY_SECRET_REVOKED",
  "API_KEY_ENABLED",
  "API_KEY_DISABLED",
  "API_KEY_EXPIRY_CHANGED",
  "ORG_SETTINGS_CHANGED",
  "ORG_MEMBER_ADDED",
  "ORG_MEMBER_ROLES_CHANGED",
  "ORG_MEMBER_REMOVED",
  "GROUP_CREATED",
  "GROUP_MEMBER_ADDED",
  "GROUP_MEMBER_ROLES_CHANGED",
  "GROUP_MEMBER_REMOVED",
];

/**
 * The audit trail. Append-only: a trigger refuses every UPDATE; rows leave only by retention
 * pruning (DELETE). No foreign keys (see EventEntity): the ids are kept when what they name is
 * deleted, no ON DELETE action ever updates an event, and writing one locks no other row. Pages are `(organization_id | project_id | target_api_key_id | organization_id,
 * type)` then `(created_at, id)`, scanned backwards for newest first.
 */
export class CreateEvents1764000300000 implements MigrationInterface {
  name = "CreateEvents1764000300000";

  async up(db: QueryRunner): Promise<void> {
    const types = EVENT_TYPES.map((type) => `'${type}'`).join(",");
    await db.query(`
      CREATE TABLE events (
        id uuid NOT NULL,
        organization_id uuid NOT NULL,
        project_id uuid,
        type text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        actor_user_id uuid,
        actor_api_key_id uuid,
        actor_label text NOT NULL,
        remote_address text NOT NULL,
        target_api_key_id uuid,
        target_public_key text,
        target_user_id uuid,
        roles text[],
        access_list_entry text,
        CONSTRAINT events_pkey PRIMARY KEY (id),
        CONSTRAINT events_type_check CHECK (type IN (${types})),
        CONSTRAINT events_actor_check CHECK ((actor_user_id IS NULL) <> (actor_api_key_id IS NULL))
      )`);
    await db.query(
      `CREATE INDEX events_organization_page_idx ON events (organization_id, created_at, id)`,
    );
    await db.query(
      `CREATE INDEX events_organization_type_idx ON events (organization_id, type, created_at, id)`,
    );
    await db.query(
      `CREATE INDEX events_target_api_key_idx ON events (target_api_key_id, created_at, id)`,
    );
    await db.query(`CREATE INDEX events_project_page_idx ON events (project_id, created_at, id)`);
    // Retention pruning only (see EventEntity): BRIN, as rows arrive in time order.
    await db.query(`CREATE INDEX events_created_at_idx ON events USING brin (created_at)`);
    await db.query(`
      CREATE FUNCTION events_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only: UPDATE is not allowed'
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE ON events
        FOR EACH ROW EXECUTE FUNCTION events_refuse_update()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE events`);
    await db.query(`DROP FUNCTION events_refuse_update()`);
  }
}
