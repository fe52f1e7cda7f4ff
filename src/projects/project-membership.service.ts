import type { EntityManager } from "typeorm";
import { EventType, sameRoles } from "../audit/event-kinds";
import { admittedProject, canSeeUser, requireGrantable } from "../auth/authorize";
import { normalizeRoles } from "../auth/roles";
import { inTransaction, isUniqueViolation } from "../db/transaction";
import { connectionFor, type ConnectionArgs, type ConnectionShape } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { uuidOf } from "../graphql/global-id";
import { notFound, UserErrorCode, UserInputError } from "../graphql/user-error";
import { OrganizationMembershipEntity } from "../organizations/organization-membership.entity";
import { ProjectMembershipEntity } from "./project-membership.entity";
import type {
  AddProjectMemberInput,
  RemoveProjectMemberInput,
  UpdateProjectMemberRolesInput,
} from "./project.inputs";
import type { ProjectMembershipPayload, RemoveProjectMemberPayload } from "./project.payloads";
import { ProjectMembership, ProjectMembershipConnection } from "./project-membership.type";

/**
 * Project membership. The mutations are guarded by
 * `@hasProjectRole(anyOf: [GROUP_OWNER, GROUP_USER_ADMIN])`; here: the member must belong to the
 * project's organization, and nobody grants, or takes away, a role they could not grant.
 */
export class ProjectMembershipService {
  async add(ctx: RequestContext, input: AddProjectMemberInput): Promise<ProjectMembershipPayload> {
    const { projectId, organizationId, callerRoles } = await admittedProject(ctx, input.projectId);
    const roles = normalizeRoles(input.roles);
    requireGrantable(callerRoles, roles);
    const userId = await this.visibleUserId(ctx, input.userId);
    const membership = await inTransaction(ctx, async (manager) => {
      // The organization membership stays locked until commit, so a concurrent removal from the
      // organization either waits and then removes this project role too, or commits first and
      // this finds no member: never a project role without the organization.
      const inOrganization = await manager
        .getRepository(OrganizationMembershipEntity)
        .createQueryBuilder("m")
        .setLock("for_key_share")
        .where("m.organization_id = :organizationId AND m.user_id = :userId", {
          organizationId,
          userId,
        })
        .getOne();
      if (!inOrganization) {
        throw UserInputError.of(
          UserErrorCode.WRONG_ORGANIZATION,
          ["input", "userId"],
          "This user is not a member of the project's organization; add them to the organization first.",
        );
      }
      const created = manager.create(ProjectMembershipEntity, { projectId, userId, roles });
      try {
        await manager.insert(ProjectMembershipEntity, created);
      } catch (error) {
        if (isUniqueViolation(error, "project_memberships_pkey")) {
          throw UserInputError.of(
            UserErrorCode.ALREADY_EXISTS,
            ["input", "userId"],
            "This user is already a member of the project.",
          );
        }
        throw error;
      }
      await ctx.services.events.record(manager, ctx, {
        type: EventType.GROUP_MEMBER_ADDED,
        organizationId,
        projectId,
        userId,
        roles,
      });
      return created;
    });
    return { membership: ProjectMembership.from(membership), userErrors: [] };
  }

  async updateRoles(
    ctx: RequestContext,
    input: UpdateProjectMemberRolesInput,
  ): Promise<ProjectMembershipPayload> {
    const { projectId, organizationId, callerRoles } = await admittedProject(ctx, input.projectId);
    const roles = normalizeRoles(input.roles);
    requireGrantable(callerRoles, roles);
    const membership = await inTransaction(ctx, async (manager) => {
      const current = await lockMembership(manager, projectId, input.userId);
      requireGrantable(callerRoles, current.roles);
      if (!sameRoles(current.roles, roles)) {
        await ctx.services.events.record(manager, ctx, {
          type: EventType.GROUP_MEMBER_ROLES_CHANGED,
          organizationId,
          projectId,
          userId: current.userId,
          roles,
        });
      }
      current.roles = roles;
      await manager.update(
        ProjectMembershipEntity,
        { projectId, userId: current.userId },
        { roles },
      );
      return current;
    });
    return { membership: ProjectMembership.from(membership), userErrors: [] };
  }

  async remove(
    ctx: RequestContext,
    input: RemoveProjectMemberInput,
  ): Promise<RemoveProjectMemberPayload> {
    const { projectId, organizationId, callerRoles } = await admittedProject(ctx, input.projectId);
    await inTransaction(ctx, async (manager) => {
      const current = await lockMembership(manager, projectId, input.userId);
      requireGrantable(callerRoles, current.roles);
      await manager.delete(ProjectMembershipEntity, { projectId, userId: current.userId });
      await ctx.services.events.record(manager, ctx, {
        type: EventType.GROUP_MEMBER_REMOVED,
        organizationId,
        projectId,
        userId: current.userId,
      });
    });
    return { removedUserId: input.userId, userErrors: [] };
  }

  /** Everyone who sees a project sees its members. */
  async listForProject(
    ctx: RequestContext,
    projectId: string,
    args: ConnectionArgs,
  ): Promise<ConnectionShape<ProjectMembership>> {
    const query = ctx.db
      .getRepository(ProjectMembershipEntity)
      .createQueryBuilder("m")
      .where("m.project_id = :projectId", { projectId });
    return connectionFor(
      ProjectMembershipConnection,
      query,
      {
        createdAt: "m.created_at",
        id: "m.user_id",
        position: (row) => ({ createdAt: row.createdAt, id: row.userId }),
      },
      args,
      ProjectMembership.from,
    );
  }

  private async visibleUserId(ctx: RequestContext, userGlobalId: string): Promise<string> {
    const userId = uuidOf(userGlobalId, "User");
    if (!userId || !(await canSeeUser(ctx, userId))) throw notFound(["input", "userId"], "user");
    return userId;
  }
}

async function lockMembership(
  manager: EntityManager,
  projectId: string,
  userGlobalId: string,
): Promise<ProjectMembershipEntity> {
  const userId = uuidOf(userGlobalId, "User");
  const membership = userId
    ? await manager
        .getRepository(ProjectMembershipEntity)
        .createQueryBuilder("m")
        .setLock("pessimistic_write")
        .where("m.project_id = :projectId AND m.user_id = :userId", { projectId, userId })
        .getOne()
    : null;
  if (!membership) throw notFound(["input", "userId"], "member of this project");
  return membership;
}
