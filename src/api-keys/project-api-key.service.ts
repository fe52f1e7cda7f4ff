import type { EntityManager } from "typeorm";
import { EventType, sameRoles } from "../audit/event-kinds";
import { admittedProject, canSeeApiKey, requireGrantable } from "../auth/authorize";
import { OrganizationRole, normalizeRoles } from "../auth/roles";
import { inTransaction, isUniqueViolation } from "../db/transaction";
import { connectionFor, type ConnectionArgs, type ConnectionShape } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { uuidOf } from "../graphql/global-id";
import { notFound, UserErrorCode, UserInputError } from "../graphql/user-error";
import { ApiKeyProjectAssignmentEntity } from "./api-key-project-assignment.entity";
import type {
  AssignApiKeyToProjectInput,
  CreateProjectApiKeyInput,
  UnassignApiKeyFromProjectInput,
  UpdateProjectApiKeyRolesInput,
} from "./api-key.inputs";
import type {
  CreateApiKeyPayload,
  ProjectApiKeyPayload,
  UnassignApiKeyFromProjectPayload,
} from "./api-key.payloads";
import { creationFacts } from "./api-key-events";
import { ApiKey, ProjectApiKeyAssignment, ProjectApiKeyConnection } from "./api-key.type";

/**
 * Project-level API keys. Every mutation is guarded by
 * `@hasProjectRole(anyOf: [GROUP_OWNER, GROUP_USER_ADMIN])` on `input.projectId`; the rules here:
 * keys stay inside their organization, and nobody grants or takes away a role they could not grant.
 */
export class ProjectApiKeyService {
  /** An organization key with ORG_MEMBER, assigned to the project, in one transaction. */
  async createProjectKey(
    ctx: RequestContext,
    input: CreateProjectApiKeyInput,
  ): Promise<CreateApiKeyPayload> {
    const { projectId, organizationId, callerRoles } = await admittedProject(ctx, input.projectId);
    const roles = normalizeRoles(input.roles);
    requireGrantable(callerRoles, roles);
    const { key, privateKey } = await inTransaction(ctx, async (manager) => {
      const created = await ctx.services.apiKeys.insertKey(manager, {
        organizationId,
        description: input.description,
        roles: [OrganizationRole.ORG_MEMBER],
        accessList: input.accessList,
        accessListField: ["input", "accessList"],
        expiresAt: input.expiresAt,
        scopeField: ["input", "projectId"],
      });
      await manager.insert(ApiKeyProjectAssignmentEntity, {
        apiKeyId: created.key.id,
        projectId,
        roles,
      });
      const [keyCreated, ...accessList] = creationFacts(created, projectId);
      await ctx.services.events.recordAll(manager, ctx, [
        keyCreated,
        {
          type: EventType.API_KEY_ADDED_TO_GROUP,
          organizationId,
          projectId,
          apiKey: created.key,
          roles,
        },
        ...accessList,
      ]);
      return created;
    });
    return { apiKey: ApiKey.from(key), privateKey, userErrors: [] };
  }

  /** An existing key of the project's organization gains access to the project. */
  async assign(
    ctx: RequestContext,
    input: AssignApiKeyToProjectInput,
  ): Promise<ProjectApiKeyPayload> {
    const { projectId, organizationId, callerRoles } = await admittedProject(ctx, input.projectId);
    const roles = normalizeRoles(input.roles);
    requireGrantable(callerRoles, roles);
    const apiKeyId = uuidOf(input.apiKeyId, "ApiKey");
    const key = apiKeyId ? await ctx.loaders.apiKey.load(apiKeyId) : null;
    if (!key) throw notFound(["input", "apiKeyId"], "API key");
    if (key.organizationId !== organizationId) {
      // Another organization's key: only someone who may see it learns that it exists.
      if (!(await canSeeApiKey(ctx, key.id))) throw notFound(["input", "apiKeyId"], "API key");
      throw UserInputError.of(
        UserErrorCode.WRONG_ORGANIZATION,
        ["input", "apiKeyId"],
        "This key belongs to another organization; a key can only be assigned to projects of its own organization.",
      );
    }
    const assignment = ctx.db
      .getRepository(ApiKeyProjectAssignmentEntity)
      .create({ apiKeyId: key.id, projectId, roles });
    await inTransaction(ctx, async (manager) => {
      try {
        await manager.insert(ApiKeyProjectAssignmentEntity, assignment);
      } catch (error) {
        if (isUniqueViolation(error, "api_key_project_assignments_pkey")) {
          throw UserInputError.of(
            UserErrorCode.ALREADY_EXISTS,
            ["input", "apiKeyId"],
            "This key is already assigned to the project; change its roles instead.",
          );
        }
        throw error;
      }
      await ctx.services.events.record(manager, ctx, {
        type: EventType.API_KEY_ADDED_TO_GROUP,
        organizationId,
        projectId,
        apiKey: key,
        roles,
      });
    });
    await ctx.services.keyChanges.keyChanged(key.id);
    return { assignment: ProjectApiKeyAssignment.from(assignment), userErrors: [] };
  }

  /** Replaces the key's roles in this project only. */
  async updateRoles(
    ctx: RequestContext,
    input: UpdateProjectApiKeyRolesInput,
  ): Promise<ProjectApiKeyPayload> {
    const { projectId, organizationId, callerRoles } = await admittedProject(ctx, input.projectId);
    const roles = normalizeRoles(input.roles);
    requireGrantable(callerRoles, roles);
    const assignment = await inTransaction(ctx, async (manager) => {
      const current = await lockAssignment(manager, projectId, input.apiKeyId);
      requireGrantable(callerRoles, current.roles);
      if (!sameRoles(current.roles, roles)) {
        await ctx.services.events.record(manager, ctx, {
          type: EventType.API_KEY_ROLES_CHANGED,
          organizationId,
          projectId,
          apiKey: { id: current.apiKeyId },
          roles,
        });
      }
      current.roles = roles;
      await manager.update(
        ApiKeyProjectAssignmentEntity,
        { apiKeyId: current.apiKeyId, projectId },
        { roles },
      );
      return current;
    });
    await ctx.services.keyChanges.keyChanged(assignment.apiKeyId);
    return { assignment: ProjectApiKeyAssignment.from(assignment), userErrors: [] };
  }

  /** Removes the key from this project only; it stays in its organization and other projects. */
  async unassign(
    ctx: RequestContext,
    input: UnassignApiKeyFromProjectInput,
  ): Promise<UnassignApiKeyFromProjectPayload> {
    const { projectId, organizationId, callerRoles } = await admittedProject(ctx, input.projectId);
    const apiKeyId = await inTransaction(ctx, async (manager) => {
      const current = await lockAssignment(manager, projectId, input.apiKeyId);
      requireGrantable(callerRoles, current.roles);
      await ctx.services.events.record(manager, ctx, {
        type: EventType.API_KEY_REMOVED_FROM_GROUP,
        organizationId,
        projectId,
        apiKey: { id: current.apiKeyId },
      });
      await manager.delete(ApiKeyProjectAssignmentEntity, {
        apiKeyId: current.apiKeyId,
        projectId,
      });
      return current.apiKeyId;
    });
    await ctx.services.keyChanges.keyChanged(apiKeyId);
    ctx.loaders.apiKeyAssignments.clear(apiKeyId);
    return { apiKey: await ctx.services.apiKeys.load(ctx, apiKeyId), userErrors: [] };
  }

  /** Guarded by `@hasProjectRole(anyOf: [GROUP_OWNER, GROUP_USER_ADMIN])` on the project. */
  async listForProject(
    ctx: RequestContext,
    projectId: string,
    args: ConnectionArgs,
  ): Promise<ConnectionShape<ProjectApiKeyAssignment>> {
    const query = ctx.db
      .getRepository(ApiKeyProjectAssignmentEntity)
      .createQueryBuilder("a")
      .where("a.project_id = :projectId", { projectId });
    return connectionFor(
      ProjectApiKeyConnection,
      query,
      {
        createdAt: "a.created_at",
        id: "a.api_key_id",
        position: (row) => ({ createdAt: row.createdAt, id: row.apiKeyId }),
      },
      args,
      ProjectApiKeyAssignment.from,
    );
  }
}

async function lockAssignment(
  manager: EntityManager,
  projectId: string,
  apiKeyGlobalId: string,
): Promise<ApiKeyProjectAssignmentEntity> {
  const apiKeyId = uuidOf(apiKeyGlobalId, "ApiKey");
  const assignment = apiKeyId
    ? await manager
        .getRepository(ApiKeyProjectAssignmentEntity)
        .createQueryBuilder("a")
        .setLock("pessimistic_write")
        .where("a.project_id = :projectId AND a.api_key_id = :apiKeyId", { projectId, apiKeyId })
        .getOne()
    : null;
  if (!assignment) {
    throw UserInputError.of(
      UserErrorCode.NOT_FOUND,
      ["input", "apiKeyId"],
      "This key is not assigned to the project.",
    );
  }
  return assignment;
}
