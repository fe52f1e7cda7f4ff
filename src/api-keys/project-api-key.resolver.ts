import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { HasProjectRole, inputId } from "../auth/directives";
import { ProjectRole } from "../auth/roles.graphql";
import type { RequestContext } from "../graphql/context";
import { Project } from "../projects/project.type";
import {
  AssignApiKeyToProjectInput,
  CreateProjectApiKeyInput,
  UnassignApiKeyFromProjectInput,
  UpdateProjectApiKeyRolesInput,
} from "./api-key.inputs";
import {
  CreateApiKeyPayload,
  ProjectApiKeyPayload,
  UnassignApiKeyFromProjectPayload,
} from "./api-key.payloads";
import { ApiKey, ProjectApiKeyAssignment } from "./api-key.type";

const PROJECT_ADMINS = [ProjectRole.GROUP_OWNER, ProjectRole.GROUP_USER_ADMIN];
const PROJECT = inputId("projectId", "Project");

@Resolver(() => ProjectApiKeyAssignment)
export class ProjectApiKeyResolver {
  @Mutation(() => CreateApiKeyPayload, {
    description:
      "Project Owner / Project User Admin: create a key in the project's organization (organization role ORG_MEMBER) and assign it to the project.",
  })
  @HasProjectRole(PROJECT_ADMINS, PROJECT)
  createProjectApiKey(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: CreateProjectApiKeyInput,
  ): Promise<CreateApiKeyPayload> {
    return ctx.services.projectApiKeys.createProjectKey(ctx, input);
  }

  @Mutation(() => ProjectApiKeyPayload, {
    description:
      "Project Owner / Project User Admin: give an existing key of the same organization access to the project.",
  })
  @HasProjectRole(PROJECT_ADMINS, PROJECT)
  assignApiKeyToProject(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: AssignApiKeyToProjectInput,
  ): Promise<ProjectApiKeyPayload> {
    return ctx.services.projectApiKeys.assign(ctx, input);
  }

  @Mutation(() => ProjectApiKeyPayload, {
    description: "Project Owner / Project User Admin: replace the key's roles in the project.",
  })
  @HasProjectRole(PROJECT_ADMINS, PROJECT)
  updateProjectApiKeyRoles(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: UpdateProjectApiKeyRolesInput,
  ): Promise<ProjectApiKeyPayload> {
    return ctx.services.projectApiKeys.updateRoles(ctx, input);
  }

  @Mutation(() => UnassignApiKeyFromProjectPayload, {
    description:
      "Project Owner / Project User Admin: remove the key from the project; the key itself stays in the organization.",
  })
  @HasProjectRole(PROJECT_ADMINS, PROJECT)
  unassignApiKeyFromProject(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: UnassignApiKeyFromProjectInput,
  ): Promise<UnassignApiKeyFromProjectPayload> {
    return ctx.services.projectApiKeys.unassign(ctx, input);
  }

  @FieldResolver(() => ApiKey)
  apiKey(@Ctx() ctx: RequestContext, @Root() assignment: ProjectApiKeyAssignment): Promise<ApiKey> {
    return ctx.services.apiKeys.load(ctx, assignment.apiKeyId);
  }

  @FieldResolver(() => Project)
  project(
    @Ctx() ctx: RequestContext,
    @Root() assignment: ProjectApiKeyAssignment,
  ): Promise<Project> {
    return ctx.services.projects.load(ctx, assignment.projectId);
  }
}
