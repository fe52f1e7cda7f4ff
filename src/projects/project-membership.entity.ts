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
import { ProjectRole } from "../auth/roles";
import { UserEntity } from "../users/user.entity";
import { ProjectEntity } from "./project.entity";

@Entity({ name: "project_memberships" })
@Check(
  "project_memberships_roles_check",
  `cardinality(roles) > 0 AND roles <@ ARRAY['GROUP_OWNER','GROUP_USER_ADMIN','GROUP_READ_ONLY','GROUP_CLUSTER_MANAGER','GROUP_DATA_ACCESS_ADMIN','GROUP_DATA_ACCESS_READ_WRITE','GROUP_DATA_ACCESS_READ_ONLY','GROUP_AUTOMATION_ADMIN','GROUP_BACKUP_ADMIN','GROUP_MONITORING_ADMIN']::text[]`,
)
@Index("project_memberships_page_idx", ["projectId", "createdAt", "userId"])
@Index("project_memberships_user_id_idx", ["userId"])
export class ProjectMembershipEntity {
  @PrimaryColumn({
    name: "project_id",
    type: "uuid",
    primaryKeyConstraintName: "project_memberships_pkey",
  })
  projectId!: string;

  @PrimaryColumn({
    name: "user_id",
    type: "uuid",
    primaryKeyConstraintName: "project_memberships_pkey",
  })
  userId!: string;

  @ManyToOne(() => ProjectEntity, { onDelete: "CASCADE" })
  @JoinColumn({
    name: "project_id",
    foreignKeyConstraintName: "project_memberships_project_id_fkey",
  })
  project?: ProjectEntity;

  @ManyToOne(() => UserEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id", foreignKeyConstraintName: "project_memberships_user_id_fkey" })
  user?: UserEntity;

  @Column({ type: "text", array: true })
  roles!: ProjectRole[];

  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;
}
