import { ArrayMaxSize, ArrayMinSize, Length, Matches } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { ProjectRole } from "../auth/roles.graphql";

const ROLES_REQUIRED = { message: "must hold at least one role" };

@InputType()
export class CreateProjectInput {
  @Field(() => ID)
  organizationId!: string;

  @Field()
  @Length(1, 64, { message: "must be 1 to 64 characters" })
  @Matches(/\S/, { message: "must not be blank" })
  name!: string;
}

@InputType()
export class AddProjectMemberInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => [ProjectRole])
  @ArrayMinSize(1, ROLES_REQUIRED)
  @ArrayMaxSize(20)
  roles!: ProjectRole[];
}

@InputType()
export class UpdateProjectMemberRolesInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => [ProjectRole])
  @ArrayMinSize(1, ROLES_REQUIRED)
  @ArrayMaxSize(20)
  roles!: ProjectRole[];
}

@InputType()
export class RemoveProjectMemberInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => ID)
  userId!: string;
}
