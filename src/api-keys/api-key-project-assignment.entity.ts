import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from "typeorm";
import type { ProjectRole } from "../auth/roles";
import { ProjectEntity } from "../projects/project.entity";
import { ApiKeyEntity } from "./api-key.entity";

/** An API key's access to one project of its organization, with its roles there. */
@Entity({ name: "api_key_project_assignments" })
@Index("api_key_project_assignments_page_idx", ["projectId", "createdAt", "apiKeyId"])
@Check(
  "api_key_project_assignments_roles_check",
  `cardinality(roles) > 0 AND roles <@ ARRAY['GROUP_OWNER','GROUP_USER_ADMIN','GROUP_READ_ONLY','GROUP_CLUSTER_MANAGER','GROUP_DATA_ACCESS_ADMIN','GROUP_DATA_ACCESS_READ_WRITE','GROUP_DATA_ACCESS_READ_ONLY','GROUP_AUTOMATION_ADMIN','GROUP_BACKUP_ADMIN','GROUP_MONITORING_ADMIN']::text[]`,
)
export class ApiKeyProjectAssignmentEntity {
  @PrimaryColumn({
    name: "api_key_id",
    type: "uuid",
    primaryKeyConstraintName: "api_key_project_assignments_pkey",
  })
  apiKeyId!: string;

  @PrimaryColumn({
    name: "project_id",
    type: "uuid",
    primaryKeyConstraintName: "api_key_project_assignments_pkey",
  })
  projectId!: string;

  @ManyToOne(() => ApiKeyEntity, { onDelete: "CASCADE" })
  @JoinColumn({
    name: "api_key_id",
    foreignKeyConstraintName: "api_key_project_assignments_api_key_id_fkey",
  })
  apiKey?: ApiKeyEntity;

  @ManyToOne(() => ProjectEntity, { onDelete: "CASCADE" })
  @JoinColumn({
    name: "project_id",
    foreignKeyConstraintName: "api_key_project_assignments_project_id_fkey",
  })
  project?: ProjectEntity;

  @Column({ type: "text", array: true })
  roles!: ProjectRole[];

  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;
}
