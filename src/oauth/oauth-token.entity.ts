import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from "typeorm";
import { ApiKeySecretEntity } from "../api-keys/api-key-secret.entity";
import { ApiKeyEntity } from "../api-keys/api-key.entity";

/**
 * An OAuth 2.0 access token issued to an API key (client-credentials grant), kept only as a keyed
 * digest. It ends at `expiresAt`, or with its key or the secret that obtained it (cascades).
 */
@Entity({ name: "oauth_access_tokens" })
@Unique("oauth_access_tokens_digest_key", ["digest"])
@Index("oauth_access_tokens_expires_at_idx", ["expiresAt"])
@Index("oauth_access_tokens_api_key_id_idx", ["apiKeyId"])
@Index("oauth_access_tokens_secret_id_idx", ["secretId"])
export class OAuthAccessTokenEntity {
  @PrimaryGeneratedColumn("uuid", { primaryKeyConstraintName: "oauth_access_tokens_pkey" })
  id!: string;

  /** HMAC-SHA-256 of the token under the server secret. */
  @Column({ type: "bytea" })
  digest!: Buffer;

  @Column({ name: "api_key_id", type: "uuid" })
  apiKeyId!: string;

  @ManyToOne(() => ApiKeyEntity, { onDelete: "CASCADE" })
  @JoinColumn({
    name: "api_key_id",
    foreignKeyConstraintName: "oauth_access_tokens_api_key_id_fkey",
  })
  apiKey?: ApiKeyEntity;

  @Column({ name: "secret_id", type: "uuid" })
  secretId!: string;

  @ManyToOne(() => ApiKeySecretEntity, { onDelete: "CASCADE" })
  @JoinColumn({
    name: "secret_id",
    foreignKeyConstraintName: "oauth_access_tokens_secret_id_fkey",
  })
  secret?: ApiKeySecretEntity;

  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;

  @Column({ name: "expires_at", type: "timestamptz", precision: 3 })
  expiresAt!: Date;
}
