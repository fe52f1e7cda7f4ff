import { ArrayMaxSize, ArrayMinSize } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { OrganizationRole } from "../auth/roles.graphql";
import { IsDisplayText, IsEmailAddress } from "../graphql/text-fields";
import { DISPLAY_TEXT_LIMITS } from "../graphql/text";

const ROLES_REQUIRED = { message: "must hold at least one role" };

@InputType()
export class CreateOrganizationInput {
  @Field()
  @IsDisplayText(DISPLAY_TEXT_LIMITS.organizationName)
  name!: string;
}

@InputType()
export class UpdateOrganizationSettingsInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => Boolean, { nullable: true })
  apiAccessListRequired?: boolean | null;
}

@InputType()
export class AddOrganizationMemberInput {
  @Field(() => ID)
  organizationId!: string;

  @Field()
  @IsEmailAddress()
  email!: string;

  @Field(() => [OrganizationRole])
  @ArrayMinSize(1, ROLES_REQUIRED)
  @ArrayMaxSize(20)
  roles!: OrganizationRole[];
}

@InputType()
export class UpdateOrganizationMemberRolesInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => [OrganizationRole])
  @ArrayMinSize(1, ROLES_REQUIRED)
  @ArrayMaxSize(20)
  roles!: OrganizationRole[];
}

@InputType()
export class RemoveOrganizationMemberInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => ID)
  userId!: string;
}
