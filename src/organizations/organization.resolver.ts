import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { fromParent, HasOrgRole, inputId, UserOnly } from "../auth/directives";
import { OrganizationRole } from "../auth/roles.graphql";
import { ApiKeyFilter } from "../api-keys/api-key.inputs";
import { ApiKeyConnection } from "../api-keys/api-key.type";
import { ConnectionArgs, type ConnectionShape } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { uuidOf } from "../graphql/global-id";
import { ProjectConnection } from "../projects/project.type";
import type { Project } from "../projects/project.type";
import type { ApiKey } from "../api-keys/api-key.type";
import {
  OrganizationConnection,
  OrganizationMembership,
  OrganizationMembershipConnection,
} from "./organization-membership.type";
import { CreateOrganizationInput, UpdateOrganizationSettingsInput } from "./organization.inputs";
import {
  CreateOrganizationPayload,
  UpdateOrganizationSettingsPayload,
} from "./organization.payloads";
import { Organization } from "./organization.type";

const OWNER = [OrganizationRole.ORG_OWNER];

@Resolver(() => Organization)
export class OrganizationResolver {
  @Query(() => Organization, { nullable: true })
  organization(
    @Ctx() ctx: RequestContext,
    @Arg("id", () => ID) id: string,
  ): Promise<Organization | null> {
    const uuid = uuidOf(id, "Organization");
    return uuid ? ctx.services.organizations.findVisible(ctx, uuid) : Promise.resolve(null);
  }

  @Query(() => OrganizationConnection, {
    description: "Organizations the caller belongs to (for an API key: its own organization).",
  })
  organizations(
    @Ctx() ctx: RequestContext,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<Organization>> {
    return ctx.services.organizations.listForViewer(ctx, args);
  }

  @Mutation(() => CreateOrganizationPayload)
  @UserOnly()
  createOrganization(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: CreateOrganizationInput,
  ): Promise<CreateOrganizationPayload> {
    return ctx.services.organizations.create(ctx, input);
  }

  @Mutation(() => UpdateOrganizationSettingsPayload)
  @HasOrgRole(OWNER, inputId("organizationId", "Organization"))
  updateOrganizationSettings(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: UpdateOrganizationSettingsInput,
  ): Promise<UpdateOrganizationSettingsPayload> {
    return ctx.services.organizations.updateSettings(ctx, input);
  }

  @FieldResolver(() => [OrganizationRole], {
    description:
      "The caller's own roles in this organization (empty for a caller who sees it only through a project).",
  })
  viewerRoles(
    @Ctx() ctx: RequestContext,
    @Root() organization: Organization,
  ): Promise<OrganizationRole[]> {
    return ctx.services.organizations.viewerRoles(ctx, organization);
  }

  @FieldResolver(() => ProjectConnection)
  projects(
    @Ctx() ctx: RequestContext,
    @Root() organization: Organization,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<Project>> {
    return ctx.services.projects.listForOrganization(ctx, organization.uuid, args);
  }

  @FieldResolver(() => OrganizationMembershipConnection)
  members(
    @Ctx() ctx: RequestContext,
    @Root() organization: Organization,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<OrganizationMembership>> {
    return ctx.services.organizationMemberships.listForOrganization(ctx, organization.uuid, args);
  }

  @FieldResolver(() => ApiKeyConnection)
  @HasOrgRole(OWNER, fromParent((organization: Organization) => organization.uuid))
  apiKeys(
    @Ctx() ctx: RequestContext,
    @Root() organization: Organization,
    // Declared before the connection arguments so that the SDL lists it after them.
    @Arg("filter", () => ApiKeyFilter, { nullable: true }) filter: ApiKeyFilter | null | undefined,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<ApiKey>> {
    return ctx.services.apiKeys.listForOrganization(ctx, organization.uuid, args, filter);
  }
}
