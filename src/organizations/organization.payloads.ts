import { Field, ID, ObjectType } from "type-graphql";
import { UserError } from "../graphql/user-error";
import { OrganizationMembership } from "./organization-membership.type";
import { Organization } from "./organization.type";

@ObjectType()
export class CreateOrganizationPayload {
  @Field(() => Organization, { nullable: true })
  organization!: Organization | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class UpdateOrganizationSettingsPayload {
  @Field(() => Organization, { nullable: true })
  organization!: Organization | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class OrganizationMembershipPayload {
  @Field(() => OrganizationMembership, { nullable: true })
  membership!: OrganizationMembership | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class RemoveOrganizationMemberPayload {
  @Field(() => ID, { nullable: true })
  removedUserId!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
