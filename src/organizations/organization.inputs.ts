import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Max, Min } from "class-validator";
import { Field, ID, InputType, Int } from "type-graphql";
import { OrganizationRole } from "../auth/roles.graphql";
import { IsDisplayText, IsEmailAddress } from "../graphql/text-fields";
import { DISPLAY_TEXT_LIMITS } from "../graphql/text";

const ROLES_REQUIRED = { message: "must hold at least one role" };
const LIFETIME_DAYS = { message: "must be 1 to 3650 days, or null for no limit" };

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

  /** Omitted: unchanged; null: no limit. */
  @Field(() => Int, {
    nullable: true,
    description: "1 to 3650; null removes the limit. Applies to keys created afterwards.",
  })
  @IsOptional()
  @IsInt(LIFETIME_DAYS)
  @Min(1, LIFETIME_DAYS)
  @Max(3650, LIFETIME_DAYS)
  maxApiKeyLifetimeDays?: number | null;
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
