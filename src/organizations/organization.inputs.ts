import { ArrayMaxSize, ArrayMinSize, IsEmail, Length, Matches, MaxLength } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { OrganizationRole } from "../auth/roles.graphql";

const ROLES_REQUIRED = { message: "must hold at least one role" };

@InputType()
export class CreateOrganizationInput {
  @Field()
  @Length(1, 100, { message: "must be 1 to 100 characters" })
  // The name is stored trimmed, so a blank one would become an empty name.
  @Matches(/\S/, { message: "must not be blank" })
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
  @IsEmail({}, { message: "must be an email address" })
  @MaxLength(254, { message: "must be at most 254 characters" })
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
