import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from "typeorm";
import type { OrganizationRole } from "../auth/roles";
import { OrganizationEntity } from "../organizations/organization.entity";

@Entity({ name: "api_keys" })
@Unique("api_keys_public_key_key", ["publicKey"])
@Index("api_keys_page_idx", ["organizationId", "createdAt", "id"])
// pg_trgm GIN over description and public key, for the list's substring search; an operator-class
// index TypeORM cannot describe, so the migration owns it.
@Index("api_keys_search_idx", { synchronize: false })
@Check(
  "api_keys_roles_check",
  `cardinality(roles) > 0 AND roles <@ ARRAY['ORG_OWNER','ORG_MEMBER','ORG_GROUP_CREATOR','ORG_BILLING_ADMIN','ORG_BILLING_READ_ONLY','ORG_READ_ONLY']::text[]`,
)
@Check("api_keys_public_key_check", `public_key ~ '^[a-z]{8}$'`)
@Check("api_keys_description_check", `char_length(description) BETWEEN 1 AND 250`)
export class ApiKeyEntity {
  @PrimaryGeneratedColumn("uuid", { primaryKeyConstraintName: "api_keys_pkey" })
  id!: string;

  @Column({ name: "organization_id", type: "uuid" })
  organizationId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: "CASCADE" })
  @JoinColumn({
    name: "organization_id",
    foreignKeyConstraintName: "api_keys_organization_id_fkey",
  })
  organization?: OrganizationEntity;

  @Column({ name: "public_key", type: "text" })
  publicKey!: string;

  @Column({ type: "text" })
  description!: string;

  @Column({ type: "text", array: true })
  roles!: OrganizationRole[];

  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;

  @Column({ name: "last_used_at", type: "timestamptz", precision: 3, nullable: true })
  lastUsedAt!: Date | null;

  /** When the key stops working; null = never. Its secrets (`ApiKeySecretEntity`) end with it. */
  @Column({ name: "expires_at", type: "timestamptz", precision: 3, nullable: true })
  expiresAt!: Date | null;

  /** False while suspended: refused, but keeps its roles, assignments, access list and secrets. */
  @Column({ type: "boolean", default: true })
  enabled!: boolean;
}
