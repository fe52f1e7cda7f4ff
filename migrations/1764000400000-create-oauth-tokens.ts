import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * OAuth 2.0 access tokens (client-credentials grant), stored only as keyed digests. A token
 * belongs to the key and to the secret that obtained it: deleting either (a deleted key, a revoked
 * or rotated-out secret) deletes its tokens. Expired rows are pruned in the background through
 * `oauth_access_tokens_expires_at_idx`.
 */
export class CreateOAuthTokens1764000400000 implements MigrationInterface {
  name = "CreateOAuthTokens1764000400000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE oauth_access_tokens (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        digest bytea NOT NULL,
        api_key_id uuid NOT NULL,
        secret_id uuid NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        CONSTRAINT oauth_access_tokens_pkey PRIMARY KEY (id),
        CONSTRAINT oauth_access_tokens_digest_key UNIQUE (digest),
        CONSTRAINT oauth_access_tokens_api_key_id_fkey FOREIGN KEY (api_key_id)
          REFERENCES api_keys (id) ON DELETE CASCADE,
        CONSTRAINT oauth_access_tokens_secret_id_fkey FOREIGN KEY (secret_id)
          REFERENCES api_key_secrets (id) ON DELETE CASCADE
      )`);
    await db.query(
      `CREATE INDEX oauth_access_tokens_expires_at_idx ON oauth_access_tokens (expires_at)`,
    );
    // The foreign keys' cascades look tokens up by key and by secret.
    await db.query(
      `CREATE INDEX oauth_access_tokens_api_key_id_idx ON oauth_access_tokens (api_key_id)`,
    );
    await db.query(
      `CREATE INDEX oauth_access_tokens_secret_id_idx ON oauth_access_tokens (secret_id)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE oauth_access_tokens`);
  }
}
