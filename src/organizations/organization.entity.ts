import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from "typeorm";

@Entity({ name: "organizations" })
@Index("organizations_created_at_id_idx", ["createdAt", "id"])
export class OrganizationEntity {
  @PrimaryGeneratedColumn("uuid", { primaryKeyConstraintName: "organizations_pkey" })
  id!: string;

  @Column({ type: "text" })
  name!: string;

  /** When true, a key of this organization with an empty access list is refused everywhere. */
  @Column({ name: "api_access_list_required", type: "boolean", default: true })
  apiAccessListRequired!: boolean;

  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;
}
