import { Field, ObjectType } from "type-graphql";
import { ProjectRole } from "../auth/roles.graphql";
import { ConnectionType } from "../graphql/connection";
import type { ProjectMembershipEntity } from "./project-membership.entity";

@ObjectType()
export class ProjectMembership {
  @Field(() => [ProjectRole])
  roles!: ProjectRole[];

  // `user` and `project` resolve through loaders in ProjectMembershipResolver.
  userId!: string;
  projectId!: string;
  createdAt!: Date;

  static from(entity: ProjectMembershipEntity): ProjectMembership {
    return Object.assign(new ProjectMembership(), {
      roles: entity.roles,
      userId: entity.userId,
      projectId: entity.projectId,
      createdAt: entity.createdAt,
    });
  }
}

export const ProjectMembershipConnection = ConnectionType(
  "ProjectMembershipConnection",
  "ProjectMembershipEdge",
  () => ProjectMembership,
);
