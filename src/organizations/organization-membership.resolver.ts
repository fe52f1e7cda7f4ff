import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { HasOrgRole, inputId } from "../auth/directives";
import { OrganizationRole } from "../auth/roles.graphql";
import type { RequestContext } from "../graphql/context";
import { User } from "../users/user.type";
import { OrganizationMembership } from "./organization-membership.type";
import {
  AddOrganizationMemberInput,
  RemoveOrganizationMemberInput,
  UpdateOrganizationMemberRolesInput,
} from "./organization.inputs";
import {
  OrganizationMembershipPayload,
  RemoveOrganizationMemberPayload,
} from "./organization.payloads";
import { Organization } from "./organization.type";

const OWNER = [OrganizationRole.ORG_OWNER];
const ORGANIZATION = inputId("organizationId", "Organization");

@Resolver(() => OrganizationMembership)
export class OrganizationMembershipResolver {
  @Mutation(() => OrganizationMembershipPayload)
  @HasOrgRole(OWNER, ORGANIZATION)
  addOrganizationMember(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: AddOrganizationMemberInput,
  ): Promise<OrganizationMembershipPayload> {
    return ctx.services.organizationMemberships.add(ctx, input);
  }

  @Mutation(() => OrganizationMembershipPayload)
  @HasOrgRole(OWNER, ORGANIZATION)
  updateOrganizationMemberRoles(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: UpdateOrganizationMemberRolesInput,
  ): Promise<OrganizationMembershipPayload> {
    return ctx.services.organizationMemberships.updateRoles(ctx, input);
  }

  @Mutation(() => RemoveOrganizationMemberPayload)
  @HasOrgRole(OWNER, ORGANIZATION)
  removeOrganizationMember(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: RemoveOrganizationMemberInput,
  ): Promise<RemoveOrganizationMemberPayload> {
    return ctx.services.organizationMemberships.remove(ctx, input);
  }

  @FieldResolver(() => User)
  user(@Ctx() ctx: RequestContext, @Root() membership: OrganizationMembership): Promise<User> {
    return ctx.services.users.load(ctx, membership.userId);
  }

  @FieldResolver(() => Organization)
  organization(
    @Ctx() ctx: RequestContext,
    @Root() membership: OrganizationMembership,
  ): Promise<Organization> {
    return ctx.services.organizations.load(ctx, membership.organizationId);
  }
}
