import { Args, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { ConnectionArgs, type ConnectionShape } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import {
  OrganizationMembershipConnection,
  type OrganizationMembership,
} from "../organizations/organization-membership.type";
import { User } from "./user.type";

@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => OrganizationMembershipConnection, {
    description:
      "The user's organizations: all of them for the user themself; for anyone else only those the caller can also see.",
  })
  organizations(
    @Ctx() ctx: RequestContext,
    @Root() user: User,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<OrganizationMembership>> {
    return ctx.services.organizationMemberships.listForUser(ctx, user.uuid, args);
  }
}
