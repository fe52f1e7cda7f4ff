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
import { OrganizationRole } from "../auth/roles";
import { UserEntity } from "../users/user.entity";
import { OrganizationEntity } from "./organization.entity";

@Entity({ name: "organization_memberships" })
@Check(
  "organization_memberships_roles_check",
  `cardinality(roles) > 0 AND roles <@ ARRAY['ORG_OWNER','ORG_MEMBER','ORG_GROUP_CREATOR','ORG_BILLING_ADMIN','ORG_BILLING_READ_ONLY','ORG_READ_ONLY']::text[]`,
)
@Index("organization_memberships_page_idx", ["organizationId", "createdAt", "userId"])
@Index("organization_memberships_user_page_idx", ["userId", "createdAt", "organizationId"])
export class OrganizationMembershipEntity {
  @PrimaryColumn({
    name: "organization_id",
    type: "uuid",
    primaryKeyConstraintName: "organization_memberships_pkey",
  })
  organizationId!: string;

  @PrimaryColumn({
    name: "user_id",
    type: "uuid",
    primaryKeyConstraintName: "organization_memberships_pkey",
  })
  userId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: "CASCADE" })
  @JoinColumn({
    name: "organization_id",
    foreignKeyConstraintName: "organization_memberships_organization_id_fkey",
  })
  organization?: OrganizationEntity;

  @ManyToOne(() => UserEntity, { onDelete: "CASCADE" })
  @JoinColumn({
    name: "user_id",
    foreignKeyConstraintName: "organization_memberships_user_id_fkey",
  })
  user?: UserEntity;

  @Column({ type: "text", array: true })
  roles!: OrganizationRole[];

  @CreateDateColumn({ name: "created_at", type: "timestamptz", precision: 3 })
  createdAt!: Date;
}
