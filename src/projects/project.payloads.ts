import { Field, ID, ObjectType } from "type-graphql";
import { UserError } from "../graphql/user-error";
import { ProjectMembership } from "./project-membership.type";
import { Project } from "./project.type";

@ObjectType()
export class CreateProjectPayload {
  @Field(() => Project, { nullable: true })
  project!: Project | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class ProjectMembershipPayload {
  @Field(() => ProjectMembership, { nullable: true })
  membership!: ProjectMembership | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class RemoveProjectMemberPayload {
  @Field(() => ID, { nullable: true })
  removedUserId!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
