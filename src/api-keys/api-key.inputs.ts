import { ArrayMaxSize, ArrayMinSize, IsOptional, MaxLength, ValidateNested } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { OrganizationRole, ProjectRole } from "../auth/roles.graphql";
import { IsDisplayText } from "../graphql/text-fields";
import { DISPLAY_TEXT_LIMITS } from "../graphql/text";

export const MAX_ACCESS_LIST_ENTRIES = 200;
const ROLES_REQUIRED = { message: "must hold at least one role" };
const EXPIRES_AT =
  "When the key stops working: in the future, and within the organization's maxApiKeyLifetimeDays if it has one (omitted: that maximum, or never).";

@InputType({ description: "Exactly one of ipAddress or cidrBlock." })
export class AccessListEntryInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(64, { message: "is not an IPv4 or IPv6 address" })
  ipAddress?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(64, { message: "is not a CIDR block" })
  cidrBlock?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsDisplayText(DISPLAY_TEXT_LIMITS.accessListComment)
  comment?: string | null;
}

@InputType()
export class CreateOrganizationApiKeyInput {
  @Field(() => ID)
  organizationId!: string;

  @Field({ description: "1 to 250 characters." })
  @IsDisplayText(DISPLAY_TEXT_LIMITS.apiKeyDescription)
  description!: string;

  @Field(() => [OrganizationRole], { description: "At least one." })
  @ArrayMinSize(1, ROLES_REQUIRED)
  @ArrayMaxSize(20)
  roles!: OrganizationRole[];

  @Field(() => [AccessListEntryInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_ACCESS_LIST_ENTRIES, {
    message: `must have at most ${MAX_ACCESS_LIST_ENTRIES} entries`,
  })
  @ValidateNested({ each: true })
  accessList?: AccessListEntryInput[] | null;

  @Field(() => Date, { nullable: true, description: EXPIRES_AT })
  expiresAt?: Date | null;
}

@InputType()
export class CreateProjectApiKeyInput {
  @Field(() => ID)
  projectId!: string;

  @Field({ description: "1 to 250 characters." })
  @IsDisplayText(DISPLAY_TEXT_LIMITS.apiKeyDescription)
  description!: string;

  @Field(() => [ProjectRole], { description: "At least one." })
  @ArrayMinSize(1, ROLES_REQUIRED)
  @ArrayMaxSize(20)
  roles!: ProjectRole[];

  @Field(() => [AccessListEntryInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_ACCESS_LIST_ENTRIES, {
    message: `must have at most ${MAX_ACCESS_LIST_ENTRIES} entries`,
  })
  @ValidateNested({ each: true })
  accessList?: AccessListEntryInput[] | null;

  @Field(() => Date, { nullable: true, description: EXPIRES_AT })
  expiresAt?: Date | null;
}

@InputType()
export class UpdateOrganizationApiKeyInput {
  @Field(() => ID)
  apiKeyId!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsDisplayText(DISPLAY_TEXT_LIMITS.apiKeyDescription)
  description?: string | null;

  @Field(() => [OrganizationRole], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1, ROLES_REQUIRED)
  @ArrayMaxSize(20)
  roles?: OrganizationRole[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "false suspends the key (refused, everything kept); true brings it back.",
  })
  enabled?: boolean | null;

  /** Omitted: unchanged; null: never expires (refused under a maxApiKeyLifetimeDays). */
  @Field(() => Date, {
    nullable: true,
    description:
      "A new expiry, in the future and within the organization's maxApiKeyLifetimeDays from now; null = never (refused when the organization has a maximum). Omitted: unchanged.",
  })
  expiresAt?: Date | null;
}

@InputType()
export class DeleteOrganizationApiKeyInput {
  @Field(() => ID)
  apiKeyId!: string;
}

@InputType()
export class AddApiKeyAccessListEntriesInput {
  @Field(() => ID)
  apiKeyId!: string;

  @Field(() => [AccessListEntryInput])
  @ArrayMinSize(1, { message: "must have at least one entry" })
  @ArrayMaxSize(MAX_ACCESS_LIST_ENTRIES, {
    message: `must have at most ${MAX_ACCESS_LIST_ENTRIES} entries`,
  })
  @ValidateNested({ each: true })
  entries!: AccessListEntryInput[];
}

@InputType()
export class RemoveApiKeyAccessListEntryInput {
  @Field(() => ID)
  apiKeyId!: string;

  @Field({ description: "The entry's address or CIDR block, as listed." })
  @MaxLength(64, { message: "is not an address or CIDR block" })
  entry!: string;
}

@InputType()
export class AssignApiKeyToProjectInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => ID)
  apiKeyId!: string;

  @Field(() => [ProjectRole])
  @ArrayMinSize(1, ROLES_REQUIRED)
  @ArrayMaxSize(20)
  roles!: ProjectRole[];
}

@InputType()
export class UpdateProjectApiKeyRolesInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => ID)
  apiKeyId!: string;

  @Field(() => [ProjectRole])
  @ArrayMinSize(1, ROLES_REQUIRED)
  @ArrayMaxSize(20)
  roles!: ProjectRole[];
}

@InputType()
export class UnassignApiKeyFromProjectInput {
  @Field(() => ID)
  projectId!: string;

  @Field(() => ID)
  apiKeyId!: string;
}

@InputType({ description: "Narrows Organization.apiKeys; every field set must hold." })
export class ApiKeyFilter {
  @Field(() => String, {
    nullable: true,
    description: "Case-insensitive substring of the description or the public key.",
  })
  @IsOptional()
  @MaxLength(250, { message: "must be at most 250 characters" })
  search?: string | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => Date, {
    nullable: true,
    description: "Keys that expire before this instant (expired keys included).",
  })
  expiresBefore?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: "Keys not used since this instant (never-used keys included).",
  })
  unusedSince?: Date | null;
}
