import {
  ArrayMaxSize,
  ArrayMinSize,
  IsOptional,
  Matches,
  MaxLength,
  ValidateNested,
} from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { OrganizationRole, ProjectRole } from "../auth/roles.graphql";

export const MAX_ACCESS_LIST_ENTRIES = 200;
const ROLES_REQUIRED = { message: "must hold at least one role" };
/**
 * 1 to 250 characters as the database counts them (code points). class-validator's `Length` does
 * not count variation selectors, so a description it passed could still break the column's check.
 */
const DESCRIPTION = /^[\s\S]{1,250}$/u;
const DESCRIPTION_LENGTH = { message: "must be 1 to 250 characters" };
const NOT_BLANK = { message: "must not be blank" };

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
  @MaxLength(250, { message: "must be at most 250 characters" })
  comment?: string | null;
}

@InputType()
export class CreateOrganizationApiKeyInput {
  @Field(() => ID)
  organizationId!: string;

  @Field({ description: "1 to 250 characters." })
  @Matches(DESCRIPTION, DESCRIPTION_LENGTH)
  @Matches(/\S/, NOT_BLANK)
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
}

@InputType()
export class CreateProjectApiKeyInput {
  @Field(() => ID)
  projectId!: string;

  @Field({ description: "1 to 250 characters." })
  @Matches(DESCRIPTION, DESCRIPTION_LENGTH)
  @Matches(/\S/, NOT_BLANK)
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
}

@InputType()
export class UpdateOrganizationApiKeyInput {
  @Field(() => ID)
  apiKeyId!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(DESCRIPTION, DESCRIPTION_LENGTH)
  @Matches(/\S/, NOT_BLANK)
  description?: string | null;

  @Field(() => [OrganizationRole], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1, ROLES_REQUIRED)
  @ArrayMaxSize(20)
  roles?: OrganizationRole[] | null;
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
