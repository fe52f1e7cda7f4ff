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
import { OrganizationEntity } from "../organizations/organization.entity";

@Entity({ name: "projects" })
@Unique("projects_organization_id_name_key", ["organizationId", "name"])
@Index("projects_page_idx", ["organizationId", "createdAt", "id"])
export class ProjectEntity {
  @PrimaryGeneratedColumn("uuid", { primaryKeyConstraintName: "projects_pkey" })
  id!: string;

  @Column({ name: "organization_id", type: "uuid" })
  organizationId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: "CASCADE" })
  @JoinColumn({
    name: "organization_id",
    foreignKeyConstraintName: "projects_organization_id_fkey",
  })
  organization?: OrganizationEntity;

  @Column({ type: "text" })
  name!: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;
}
