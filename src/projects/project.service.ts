import type { EntityManager } from "typeorm";
import { EventType } from "../audit/event-kinds";
import type { EventFact } from "../audit/event-writer";
import { canSeeProject, projectRolesOf } from "../auth/authorize";
import { ProjectRole, normalizeRoles } from "../auth/roles";
import { onlyVisibleProjects } from "../auth/visibility";
import { ApiKeyProjectAssignmentEntity } from "../api-keys/api-key-project-assignment.entity";
import { inTransaction, isUniqueViolation } from "../db/transaction";
import { connectionFor, type ConnectionArgs, type ConnectionShape } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { uuidOf } from "../graphql/global-id";
import { notFound, UserErrorCode, UserInputError } from "../graphql/user-error";
import { OrganizationMembershipEntity } from "../organizations/organization-membership.entity";
import { OrganizationEntity } from "../organizations/organization.entity";
import { ProjectMembershipEntity } from "./project-membership.entity";
import { ProjectEntity } from "./project.entity";
import type { CreateProjectInput } from "./project.inputs";
import type { CreateProjectPayload } from "./project.payloads";
import { Project, ProjectConnection } from "./project.type";

export class ProjectService {
  /**
   * Guarded by `@hasOrgRole(anyOf: [ORG_OWNER, ORG_GROUP_CREATOR])`. The creator becomes the
   * project's GROUP_OWNER: a user as a member, an API key through an assignment.
   */
  async create(ctx: RequestContext, input: CreateProjectInput): Promise<CreateProjectPayload> {
    const organizationId = uuidOf(input.organizationId, "Organization")!;
    const principal = ctx.principal;
    const project = await inTransaction(ctx, async (manager) => {
      if (principal.kind === "user") {
        await lockCreatorMembership(manager, organizationId, principal.userId);
      }
      const created = manager.create(ProjectEntity, { organizationId, name: input.name });
      try {
        await manager.insert(ProjectEntity, created);
      } catch (error) {
        if (isUniqueViolation(error, "projects_organization_id_name_key")) {
          throw UserInputError.of(
            UserErrorCode.ALREADY_EXISTS,
            ["input", "name"],
            "The organization already has a project with this name.",
          );
        }
        throw error;
      }
      const roles = [ProjectRole.GROUP_OWNER];
      const about = { organizationId, projectId: created.id };
      const facts: EventFact[] = [{ ...about, type: EventType.GROUP_CREATED }];
      if (principal.kind === "user") {
        await manager.insert(ProjectMembershipEntity, {
          projectId: created.id,
          userId: principal.userId,
          roles,
        });
        facts.push({
          ...about,
          type: EventType.GROUP_MEMBER_ADDED,
          userId: principal.userId,
          roles,
        });
      } else if (principal.kind === "apiKey") {
        await manager.insert(ApiKeyProjectAssignmentEntity, {
          projectId: created.id,
          apiKeyId: principal.apiKeyId,
          roles,
        });
        facts.push({
          ...about,
          type: EventType.API_KEY_ADDED_TO_GROUP,
          apiKey: { id: principal.apiKeyId, publicKey: principal.key.publicKey },
          roles,
        });
      }
      await ctx.services.events.recordAll(manager, ctx, facts);
      return created;
    });
    return { project: Project.from(project), userErrors: [] };
  }

  /** A project the caller may see, or null exactly as for an unknown id. */
  async findVisible(ctx: RequestContext, projectId: string): Promise<Project | null> {
    if (!(await canSeeProject(ctx, projectId))) return null;
    const entity = await ctx.loaders.project.load(projectId);
    return entity ? Project.from(entity) : null;
  }

  /** Loads a project whose visibility follows from the parent the caller already sees. */
  async load(ctx: RequestContext, projectId: string): Promise<Project> {
    const entity = await ctx.loaders.project.load(projectId);
    if (!entity) throw new Error(`Project ${projectId} vanished while being read`);
    return Project.from(entity);
  }

  /** Every project for an ORG_OWNER or ORG_READ_ONLY; otherwise those the caller holds a role in. */
  async listForOrganization(
    ctx: RequestContext,
    organizationId: string,
    args: ConnectionArgs,
  ): Promise<ConnectionShape<Project>> {
    const query = await onlyVisibleProjects(
      ctx,
      ctx.db
        .getRepository(ProjectEntity)
        .createQueryBuilder("p")
        .where("p.organization_id = :organizationId", { organizationId }),
      "p",
      organizationId,
    );
    return connectionFor(
      ProjectConnection,
      query,
      {
        createdAt: "p.created_at",
        id: "p.id",
        position: (row) => ({ createdAt: row.createdAt, id: row.id }),
      },
      args,
      Project.from,
    );
  }

  /** The caller's effective roles: an ORG_OWNER holds every project role. */
  async viewerRoles(ctx: RequestContext, project: Project): Promise<ProjectRole[]> {
    const access = await projectRolesOf(ctx, project.uuid);
    return normalizeRoles([...(access?.roles ?? [])]);
  }
}

/**
 * Keeps the creator in the organization until the project and its GROUP_OWNER membership commit.
 * Removal from an organization locks the organization row first, so a share lock on that row puts
 * the two in order: a removal waits and then takes the new project role away too, or commits first
 * and the creator finds the organization gone, as the directive would now answer.
 */
async function lockCreatorMembership(
  manager: EntityManager,
  organizationId: string,
  userId: string,
): Promise<void> {
  await manager
    .getRepository(OrganizationEntity)
    .createQueryBuilder("o")
    .setLock("for_key_share")
    .where("o.id = :organizationId", { organizationId })
    .getOne();
  if (!(await manager.existsBy(OrganizationMembershipEntity, { organizationId, userId }))) {
    throw notFound(["input", "organizationId"], "organization");
  }
}
