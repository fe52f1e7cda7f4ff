import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { ProjectApiKeyConnection, type ProjectApiKeyAssignment } from "../api-keys/api-key.type";
import { fromParent, HasOrgRole, HasProjectRole, inputId } from "../auth/directives";
import { OrganizationRole, ProjectRole } from "../auth/roles.graphql";
import { ConnectionArgs, type ConnectionShape } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { uuidOf } from "../graphql/global-id";
import { Organization } from "../organizations/organization.type";
import { ProjectMembershipConnection, type ProjectMembership } from "./project-membership.type";
import { CreateProjectInput } from "./project.inputs";
import { CreateProjectPayload } from "./project.payloads";
import { Project } from "./project.type";

@Resolver(() => Project)
export class ProjectResolver {
  @Query(() => Project, { nullable: true })
  project(@Ctx() ctx: RequestContext, @Arg("id", () => ID) id: string): Promise<Project | null> {
    const uuid = uuidOf(id, "Project");
    return uuid ? ctx.services.projects.findVisible(ctx, uuid) : Promise.resolve(null);
  }

  @Mutation(() => CreateProjectPayload)
  @HasOrgRole(
    [OrganizationRole.ORG_OWNER, OrganizationRole.ORG_GROUP_CREATOR],
    inputId("organizationId", "Organization"),
  )
  createProject(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: CreateProjectInput,
  ): Promise<CreateProjectPayload> {
    return ctx.services.projects.create(ctx, input);
  }

  @FieldResolver(() => Organization)
  organization(@Ctx() ctx: RequestContext, @Root() project: Project): Promise<Organization> {
    return ctx.services.organizations.load(ctx, project.organizationId);
  }

  @FieldResolver(() => [ProjectRole], { description: "The caller's own roles in this project." })
  viewerRoles(@Ctx() ctx: RequestContext, @Root() project: Project): Promise<ProjectRole[]> {
    return ctx.services.projects.viewerRoles(ctx, project);
  }

  @FieldResolver(() => ProjectMembershipConnection)
  members(
    @Ctx() ctx: RequestContext,
    @Root() project: Project,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<ProjectMembership>> {
    return ctx.services.projectMemberships.listForProject(ctx, project.uuid, args);
  }

  @FieldResolver(() => ProjectApiKeyConnection, {
    description: "API keys assigned to this project, each with its roles here.",
  })
  @HasProjectRole(
    [ProjectRole.GROUP_OWNER, ProjectRole.GROUP_USER_ADMIN],
    fromParent((project: Project) => project.uuid),
  )
  apiKeys(
    @Ctx() ctx: RequestContext,
    @Root() project: Project,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<ProjectApiKeyAssignment>> {
    return ctx.services.projectApiKeys.listForProject(ctx, project.uuid, args);
  }
}
