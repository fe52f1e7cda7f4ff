import { ArrayMaxSize, ArrayMinSize } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { ProjectRole } from "../auth/roles.graphql";
import { IsDisplayText } from "../graphql/text-fields";
import { DISPLAY_TEXT_LIMITS } from "../graphql/text";

const ROLES_REQUIRED = { message: "must hold at least one role" };

@InputType()
export class CreateProjectInput {
  @Field(() => ID)
  organizationId!: string;

  @Field()
  @IsDisplayText(DISPLAY_TEXT_LIMITS.projectName)
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
