import type { MigrationInterface, QueryRunner } from "typeorm";

const ORGANIZATION_ROLES = `ARRAY['ORG_OWNER','ORG_MEMBER','ORG_GROUP_CREATOR','ORG_BILLING_ADMIN','ORG_BILLING_READ_ONLY','ORG_READ_ONLY']::text[]`;
const PROJECT_ROLES = `ARRAY['GROUP_OWNER','GROUP_USER_ADMIN','GROUP_READ_ONLY','GROUP_CLUSTER_MANAGER','GROUP_DATA_ACCESS_ADMIN','GROUP_DATA_ACCESS_READ_WRITE','GROUP_DATA_ACCESS_READ_ONLY','GROUP_AUTOMATION_ADMIN','GROUP_BACKUP_ADMIN','GROUP_MONITORING_ADMIN']::text[]`;

/**
 * Programmatic API keys, their project assignments and access lists. A key's private key is
 * stored only as a keyed digest plus the 12-character tail its redacted form shows.
 */
export class CreateApiKeys1764000100000 implements MigrationInterface {
  name = "CreateApiKeys1764000100000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE api_keys (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        public_key text NOT NULL,
        private_key_digest bytea NOT NULL,
        private_key_tail text NOT NULL,
        description text NOT NULL,
        roles text[] NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        last_used_at timestamptz(3),
        CONSTRAINT api_keys_pkey PRIMARY KEY (id),
        CONSTRAINT api_keys_public_key_key UNIQUE (public_key),
        CONSTRAINT api_keys_organization_id_fkey FOREIGN KEY (organization_id)
          REFERENCES organizations (id) ON DELETE CASCADE,
        CONSTRAINT api_keys_roles_check CHECK (cardinality(roles) > 0 AND roles <@ ${ORGANIZATION_ROLES}),
        CONSTRAINT api_keys_public_key_check CHECK (public_key ~ '^[a-z]{8}$'),
        CONSTRAINT api_keys_description_check CHECK (char_length(description) BETWEEN 1 AND 250)
      )`);
    await db.query(`CREATE INDEX api_keys_page_idx ON api_keys (organization_id, created_at, id)`);

    await db.query(`
      CREATE TABLE api_key_project_assignments (
        api_key_id uuid NOT NULL,
        project_id uuid NOT NULL,
        roles text[] NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT api_key_project_assignments_pkey PRIMARY KEY (api_key_id, project_id),
        CONSTRAINT api_key_project_assignments_api_key_id_fkey FOREIGN KEY (api_key_id)
          REFERENCES api_keys (id) ON DELETE CASCADE,
        CONSTRAINT api_key_project_assignments_project_id_fkey FOREIGN KEY (project_id)
          REFERENCES projects (id) ON DELETE CASCADE,
        CONSTRAINT api_key_project_assignments_roles_check
          CHECK (cardinality(roles) > 0 AND roles <@ ${PROJECT_ROLES})
      )`);
    await db.query(
      `CREATE INDEX api_key_project_assignments_page_idx ON api_key_project_assignments (project_id, created_at, api_key_id)`,
    );

    await db.query(`
      CREATE TABLE api_key_access_list_entries (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        api_key_id uuid NOT NULL,
        cidr_block cidr NOT NULL,
        is_single_address boolean NOT NULL DEFAULT false,
        comment text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        last_used_at timestamptz(3),
        last_used_address inet,
        usage_count bigint NOT NULL DEFAULT 0,
        CONSTRAINT api_key_access_list_entries_pkey PRIMARY KEY (id),
        CONSTRAINT api_key_access_list_entries_api_key_id_cidr_block_key UNIQUE (api_key_id, cidr_block),
        CONSTRAINT api_key_access_list_entries_api_key_id_fkey FOREIGN KEY (api_key_id)
          REFERENCES api_keys (id) ON DELETE CASCADE
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE api_key_access_list_entries`);
    await db.query(`DROP TABLE api_key_project_assignments`);
    await db.query(`DROP TABLE api_keys`);
  }
}
