import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from "typeorm";
import { ApiKeyEntity } from "./api-key.entity";

/**
 * One private key of an API key. A key has one live secret, more while a rotation's grace period
 * runs; the private key itself is never stored, only its keyed digest and its redacted tail.
 */
@Entity({ name: "api_key_secrets" })
@Index("api_key_secrets_api_key_id_created_at_idx", ["apiKeyId", "createdAt"])
export class ApiKeySecretEntity {
  @PrimaryGeneratedColumn("uuid", { primaryKeyConstraintName: "api_key_secrets_pkey" })
  id!: string;

  @Column({ name: "api_key_id", type: "uuid" })
  apiKeyId!: string;

  @ManyToOne(() => ApiKeyEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "api_key_id", foreignKeyConstraintName: "api_key_secrets_api_key_id_fkey" })
  apiKey?: ApiKeyEntity;

  /** HMAC-SHA-256 of the private key under the server secret. */
  @Column({ type: "bytea" })
  digest!: Buffer;

  /** The private key's last 12 characters, for its redacted form. */
  @Column({ type: "text" })
  tail!: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;

  /** When this secret stops working (set by a rotation's grace period); null = with the key. */
  @Column({ name: "expires_at", type: "timestamptz", precision: 3, nullable: true })
  expiresAt!: Date | null;

  @Column({ name: "last_used_at", type: "timestamptz", precision: 3, nullable: true })
  lastUsedAt!: Date | null;
}
