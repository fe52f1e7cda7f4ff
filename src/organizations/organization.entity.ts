import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from "typeorm";

@Entity({ name: "organizations" })
@Index("organizations_created_at_id_idx", ["createdAt", "id"])
@Check(
  "organizations_max_api_key_lifetime_days_check",
  "max_api_key_lifetime_days BETWEEN 1 AND 3650",
)
export class OrganizationEntity {
  @PrimaryGeneratedColumn("uuid", { primaryKeyConstraintName: "organizations_pkey" })
  id!: string;

  @Column({ type: "text" })
  name!: string;

  /** When true, a key of this organization with an empty access list is refused everywhere. */
  @Column({ name: "api_access_list_required", type: "boolean", default: true })
  apiAccessListRequired!: boolean;

  /** When set, every key created afterwards expires within this many days. */
  @Column({ name: "max_api_key_lifetime_days", type: "integer", nullable: true })
  maxApiKeyLifetimeDays!: number | null;

  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;
}
