import type { MigrationInterface, QueryRunner } from "typeorm";

const ORGANIZATION_ROLES = `ARRAY['ORG_OWNER','ORG_MEMBER','ORG_GROUP_CREATOR','ORG_BILLING_ADMIN','ORG_BILLING_READ_ONLY','ORG_READ_ONLY']::text[]`;
const PROJECT_ROLES = `ARRAY['GROUP_OWNER','GROUP_USER_ADMIN','GROUP_READ_ONLY','GROUP_CLUSTER_MANAGER','GROUP_DATA_ACCESS_ADMIN','GROUP_DATA_ACCESS_READ_WRITE','GROUP_DATA_ACCESS_READ_ONLY','GROUP_AUTOMATION_ADMIN','GROUP_BACKUP_ADMIN','GROUP_MONITORING_ADMIN']::text[]`;

/**
 * Users and their sessions, organizations, projects and both kinds of membership.
 * Timestamps keep milliseconds (timestamptz(3)) so that a keyset cursor, which carries a
 * JavaScript Date, matches the stored value exactly.
 */
export class CreateUsersOrganizationsProjects1764000000000 implements MigrationInterface {
  name = "CreateUsersOrganizationsProjects1764000000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        email text NOT NULL,
        name text NOT NULL,
        password_hash text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT users_pkey PRIMARY KEY (id),
        CONSTRAINT users_email_key UNIQUE (email)
      )`);
    await db.query(`
      CREATE TABLE sessions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        token_digest bytea NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        last_used_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT sessions_pkey PRIMARY KEY (id),
        CONSTRAINT sessions_token_digest_key UNIQUE (token_digest),
        CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX sessions_user_id_idx ON sessions (user_id)`);

    await db.query(`
      CREATE TABLE organizations (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        api_access_list_required boolean NOT NULL DEFAULT true,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT organizations_pkey PRIMARY KEY (id)
      )`);
    await db.query(
      `CREATE INDEX organizations_created_at_id_idx ON organizations (created_at, id)`,
    );
    await db.query(`
      CREATE TABLE organization_memberships (
        organization_id uuid NOT NULL,
        user_id uuid NOT NULL,
        roles text[] NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT organization_memberships_pkey PRIMARY KEY (organization_id, user_id),
        CONSTRAINT organization_memberships_organization_id_fkey FOREIGN KEY (organization_id)
          REFERENCES organizations (id) ON DELETE CASCADE,
        CONSTRAINT organization_memberships_user_id_fkey FOREIGN KEY (user_id)
          REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT organization_memberships_roles_check
          CHECK (cardinality(roles) > 0 AND roles <@ ${ORGANIZATION_ROLES})
      )`);
    await db.query(
      `CREATE INDEX organization_memberships_page_idx ON organization_memberships (organization_id, created_at, user_id)`,
    );
    await db.query(
      `CREATE INDEX organization_memberships_user_page_idx ON organization_memberships (user_id, created_at, organization_id)`,
    );

    await db.query(`
      CREATE TABLE projects (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        name text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT projects_pkey PRIMARY KEY (id),
        CONSTRAINT projects_organization_id_name_key UNIQUE (organization_id, name),
        CONSTRAINT projects_organization_id_fkey FOREIGN KEY (organization_id)
          REFERENCES organizations (id) ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX projects_page_idx ON projects (organization_id, created_at, id)`);
    await db.query(`
      CREATE TABLE project_memberships (
        project_id uuid NOT NULL,
        user_id uuid NOT NULL,
        roles text[] NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT project_memberships_pkey PRIMARY KEY (project_id, user_id),
        CONSTRAINT project_memberships_project_id_fkey FOREIGN KEY (project_id)
          REFERENCES projects (id) ON DELETE CASCADE,
        CONSTRAINT project_memberships_user_id_fkey FOREIGN KEY (user_id)
          REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT project_memberships_roles_check
          CHECK (cardinality(roles) > 0 AND roles <@ ${PROJECT_ROLES})
      )`);
    await db.query(
      `CREATE INDEX project_memberships_page_idx ON project_memberships (project_id, created_at, user_id)`,
    );
    await db.query(`CREATE INDEX project_memberships_user_id_idx ON project_memberships (user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE project_memberships`);
    await db.query(`DROP TABLE projects`);
    await db.query(`DROP TABLE organization_memberships`);
    await db.query(`DROP TABLE organizations`);
    await db.query(`DROP TABLE sessions`);
    await db.query(`DROP TABLE users`);
  }
}
