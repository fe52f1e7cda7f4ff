import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { ApiKey } from "../api-keys/api-key.type";
import { Principal } from "../auth/auth.resolver";
import { fromParent, HasOrgRole, HasProjectRole } from "../auth/directives";
import { OrganizationRole, ProjectRole } from "../auth/roles.graphql";
import { ConnectionArgs, type ConnectionShape } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { Organization } from "../organizations/organization.type";
import { Project } from "../projects/project.type";
import { User } from "../users/user.type";
import { EventFilter } from "./event.inputs";
import { Event, EventConnection } from "./event.type";

@Resolver(() => Event)
export class EventResolver {
  @FieldResolver(() => Principal, {
    nullable: true,
    description:
      "Who made the change: a user or an API key (null once that actor is deleted; actorLabel stays).",
  })
  actor(@Ctx() ctx: RequestContext, @Root() event: Event): Promise<User | ApiKey | null> {
    return ctx.services.auditTrail.actor(ctx, event);
  }

  @FieldResolver(() => Organization)
  organization(@Ctx() ctx: RequestContext, @Root() event: Event): Promise<Organization> {
    return ctx.services.auditTrail.organization(ctx, event);
  }

  @FieldResolver(() => Project, { nullable: true })
  project(@Ctx() ctx: RequestContext, @Root() event: Event): Promise<Project | null> {
    return ctx.services.auditTrail.project(ctx, event);
  }

  @FieldResolver(() => ApiKey, {
    nullable: true,
    description: "The API key changed, if any (null once deleted; targetPublicKey stays).",
  })
  targetApiKey(@Ctx() ctx: RequestContext, @Root() event: Event): Promise<ApiKey | null> {
    return ctx.services.auditTrail.targetApiKey(ctx, event);
  }

  @FieldResolver(() => User, { nullable: true, description: "The member changed, if any." })
  targetUser(@Ctx() ctx: RequestContext, @Root() event: Event): Promise<User | null> {
    return ctx.services.auditTrail.targetUser(ctx, event);
  }
}

@Resolver(() => Organization)
export class OrganizationEventsResolver {
  @FieldResolver(() => EventConnection, {
    description: "Audit trail of the organization, newest first. Organization Owners only.",
  })
  @HasOrgRole(
    [OrganizationRole.ORG_OWNER],
    fromParent((organization: Organization) => organization.uuid),
  )
  events(
    @Ctx() ctx: RequestContext,
    @Root() organization: Organization,
    // Declared before the connection arguments so that the SDL lists it after them.
    @Arg("filter", () => EventFilter, { nullable: true }) filter: EventFilter | null | undefined,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<Event>> {
    return ctx.services.auditTrail.listForOrganization(ctx, organization.uuid, args, filter);
  }
}

@Resolver(() => Project)
export class ProjectEventsResolver {
  @FieldResolver(() => EventConnection, {
    description: "Audit trail of the project (its members and API key assignments), newest first.",
  })
  @HasProjectRole(
    [ProjectRole.GROUP_OWNER, ProjectRole.GROUP_USER_ADMIN],
    fromParent((project: Project) => project.uuid),
  )
  events(
    @Ctx() ctx: RequestContext,
    @Root() project: Project,
    @Arg("filter", () => EventFilter, { nullable: true }) filter: EventFilter | null | undefined,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<Event>> {
    return ctx.services.auditTrail.listForProject(ctx, project.uuid, args, filter);
  }
}
