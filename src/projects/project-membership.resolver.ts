import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { HasProjectRole, inputId } from "../auth/directives";
import { ProjectRole } from "../auth/roles.graphql";
import type { RequestContext } from "../graphql/context";
import { User } from "../users/user.type";
import { ProjectMembership } from "./project-membership.type";
import {
  AddProjectMemberInput,
  RemoveProjectMemberInput,
  UpdateProjectMemberRolesInput,
} from "./project.inputs";
import { ProjectMembershipPayload, RemoveProjectMemberPayload } from "./project.payloads";
import { Project } from "./project.type";

const PROJECT_ADMINS = [ProjectRole.GROUP_OWNER, ProjectRole.GROUP_USER_ADMIN];
const PROJECT = inputId("projectId", "Project");

@Resolver(() => ProjectMembership)
export class ProjectMembershipResolver {
  @Mutation(() => ProjectMembershipPayload)
  @HasProjectRole(PROJECT_ADMINS, PROJECT)
  addProjectMember(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: AddProjectMemberInput,
  ): Promise<ProjectMembershipPayload> {
    return ctx.services.projectMemberships.add(ctx, input);
  }

  @Mutation(() => ProjectMembershipPayload)
  @HasProjectRole(PROJECT_ADMINS, PROJECT)
  updateProjectMemberRoles(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: UpdateProjectMemberRolesInput,
  ): Promise<ProjectMembershipPayload> {
    return ctx.services.projectMemberships.updateRoles(ctx, input);
  }

  @Mutation(() => RemoveProjectMemberPayload)
  @HasProjectRole(PROJECT_ADMINS, PROJECT)
  removeProjectMember(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: RemoveProjectMemberInput,
  ): Promise<RemoveProjectMemberPayload> {
    return ctx.services.projectMemberships.remove(ctx, input);
  }

  @FieldResolver(() => User)
  user(@Ctx() ctx: RequestContext, @Root() membership: ProjectMembership): Promise<User> {
    return ctx.services.users.load(ctx, membership.userId);
  }

  @FieldResolver(() => Project)
  project(@Ctx() ctx: RequestContext, @Root() membership: ProjectMembership): Promise<Project> {
    return ctx.services.projects.load(ctx, membership.projectId);
  }
}
