import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Key lifecycle: a key's private keys move to `api_key_secrets` (one row per secret, so a rotation
 * can keep the old one for a grace period), keys gain an expiry and an enabled flag, organizations
 * a maximum key lifetime. Every existing key gets one secret from its current digest, stays
 * enabled and never expires, so every private key in use keeps working.
 *
 * `api_keys_search_idx` (pg_trgm) serves the case-insensitive substring search of the key list.
 */
export class AddKeyLifecycle1764000200000 implements MigrationInterface {
  name = "AddKeyLifecycle1764000200000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE api_key_secrets (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        api_key_id uuid NOT NULL,
        digest bytea NOT NULL,
        tail text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3),
        last_used_at timestamptz(3),
        CONSTRAINT api_key_secrets_pkey PRIMARY KEY (id),
        CONSTRAINT api_key_secrets_api_key_id_fkey FOREIGN KEY (api_key_id)
          REFERENCES api_keys (id) ON DELETE CASCADE
      )`);
    await db.query(
      `CREATE INDEX api_key_secrets_api_key_id_created_at_idx ON api_key_secrets (api_key_id, created_at)`,
    );
    await db.query(`
      INSERT INTO api_key_secrets (api_key_id, digest, tail, created_at, last_used_at)
      SELECT id, private_key_digest, private_key_tail, created_at, last_used_at FROM api_keys`);
    await db.query(`
      ALTER TABLE api_keys
        DROP COLUMN private_key_digest,
        DROP COLUMN private_key_tail,
        ADD COLUMN expires_at timestamptz(3),
        ADD COLUMN enabled boolean NOT NULL DEFAULT true`);

    await db.query(`
      ALTER TABLE organizations
        ADD COLUMN max_api_key_lifetime_days integer,
        ADD CONSTRAINT organizations_max_api_key_lifetime_days_check
          CHECK (max_api_key_lifetime_days BETWEEN 1 AND 3650)`);

    // pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await db.query(
      `CREATE INDEX api_keys_search_idx ON api_keys USING gin (description gin_trgm_ops, public_key gin_trgm_ops)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX api_keys_search_idx`);
    // Something else in the database may use pg_trgm too: then it stays.
    await db.query(`
      DO $$ BEGIN
        DROP EXTENSION IF EXISTS pg_trgm;
      EXCEPTION WHEN dependent_objects_still_exist THEN NULL;
      END $$`);
    await db.query(`
      ALTER TABLE organizations
        DROP CONSTRAINT organizations_max_api_key_lifetime_days_check,
        DROP COLUMN max_api_key_lifetime_days`);

    // The newest secret becomes the key's only private key again; older ones in a grace period end.
    await db.query(`
      ALTER TABLE api_keys
        DROP COLUMN expires_at,
        DROP COLUMN enabled,
        ADD COLUMN private_key_digest bytea,
        ADD COLUMN private_key_tail text`);
    await db.query(`
      UPDATE api_keys k
         SET private_key_digest = s.digest, private_key_tail = s.tail
        FROM (SELECT DISTINCT ON (api_key_id) api_key_id, digest, tail
                FROM api_key_secrets ORDER BY api_key_id, created_at DESC, id DESC) s
       WHERE s.api_key_id = k.id`);
    await db.query(`
      ALTER TABLE api_keys
        ALTER COLUMN private_key_digest SET NOT NULL,
        ALTER COLUMN private_key_tail SET NOT NULL`);
    await db.query(`DROP TABLE api_key_secrets`);
  }
}
