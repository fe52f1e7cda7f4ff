import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from "typeorm";
import { ApiKeyEntity } from "./api-key.entity";

/** One source an API key may be used from: a CIDR block (a single address is a /32 or /128). */
@Entity({ name: "api_key_access_list_entries" })
@Unique("api_key_access_list_entries_api_key_id_cidr_block_key", ["apiKeyId", "cidrBlock"])
export class AccessListEntryEntity {
  @PrimaryGeneratedColumn("uuid", { primaryKeyConstraintName: "api_key_access_list_entries_pkey" })
  id!: string;

  @Column({ name: "api_key_id", type: "uuid" })
  apiKeyId!: string;

  @ManyToOne(() => ApiKeyEntity, { onDelete: "CASCADE" })
  @JoinColumn({
    name: "api_key_id",
    foreignKeyConstraintName: "api_key_access_list_entries_api_key_id_fkey",
  })
  apiKey?: ApiKeyEntity;

  /** Postgres `cidr`: canonical by type, and matched with `>>=` on the hot path. */
  @Column({ name: "cidr_block", type: "cidr" })
  cidrBlock!: string;

  /** True when the entry was added as `ipAddress`, so it is listed as one. */
  @Column({ name: "is_single_address", type: "boolean", default: false })
  isSingleAddress!: boolean;

  @Column({ type: "text", nullable: true })
  comment!: string | null;

  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;

  @Column({ name: "last_used_at", type: "timestamptz", precision: 3, nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: "last_used_address", type: "inet", nullable: true })
  lastUsedAddress!: string | null;

  @Column({ name: "usage_count", type: "bigint", default: 0 })
  usageCount!: string;
}
