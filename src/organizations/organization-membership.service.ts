import type { EntityManager } from "typeorm";
import { EventType, sameRoles } from "../audit/event-kinds";
import {
  organizationRolesOf,
  requireAuthenticated,
  requireGrantable,
  requireOrganizationMember,
} from "../auth/authorize";
import { OrganizationRole, normalizeRoles } from "../auth/roles";
import { onlyMembershipsCallerShares } from "../auth/visibility";
import { inTransaction, isUniqueViolation } from "../db/transaction";
import { normalizeEmail } from "../auth/session.service";
import { connectionFor, type ConnectionArgs, type ConnectionShape } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { uuidOf } from "../graphql/global-id";
import { notFound, UserErrorCode, UserInputError } from "../graphql/user-error";
import { ProjectMembershipEntity } from "../projects/project-membership.entity";
import { UserEntity } from "../users/user.entity";
import { OrganizationMembershipEntity } from "./organization-membership.entity";
import {
  OrganizationMembership,
  OrganizationMembershipConnection,
} from "./organization-membership.type";
import { lockOrganization } from "./organization-lock";
import type {
  AddOrganizationMemberInput,
  RemoveOrganizationMemberInput,
  UpdateOrganizationMemberRolesInput,
} from "./organization.inputs";
import type {
  OrganizationMembershipPayload,
  RemoveOrganizationMemberPayload,
} from "./organization.payloads";

/**
 * Organization membership: who belongs to an organization and with which roles. The mutations
 * are guarded by `@hasOrgRole(anyOf: [ORG_OWNER])`; the rules here are the ones the directive
 * cannot express: grants, and an organization never losing its last owner.
 */
export class OrganizationMembershipService {
  async add(
    ctx: RequestContext,
    input: AddOrganizationMemberInput,
  ): Promise<OrganizationMembershipPayload> {
    const organizationId = uuidOf(input.organizationId, "Organization")!;
    const roles = normalizeRoles(input.roles);
    requireGrantable(await organizationRolesOf(ctx, organizationId), roles);
    const user = await ctx.db
      .getRepository(UserEntity)
      .findOneBy({ email: normalizeEmail(input.email) });
    if (!user) {
      throw UserInputError.of(
        UserErrorCode.NOT_FOUND,
        ["input", "email"],
        "No user has signed up with this email.",
      );
    }
    const membership = ctx.db.getRepository(OrganizationMembershipEntity).create({
      organizationId,
      userId: user.id,
      roles,
    });
    await inTransaction(ctx, async (manager) => {
      try {
        await manager.insert(OrganizationMembershipEntity, membership);
      } catch (error) {
        if (isUniqueViolation(error, "organization_memberships_pkey")) {
          throw UserInputError.of(
            UserErrorCode.ALREADY_EXISTS,
            ["input", "email"],
            "This user is already a member of the organization.",
          );
        }
        throw error;
      }
      await ctx.services.events.record(manager, ctx, {
        type: EventType.ORG_MEMBER_ADDED,
        organizationId,
        userId: user.id,
        roles,
      });
    });
    return { membership: OrganizationMembership.from(membership), userErrors: [] };
  }

  async updateRoles(
    ctx: RequestContext,
    input: UpdateOrganizationMemberRolesInput,
  ): Promise<OrganizationMembershipPayload> {
    const organizationId = uuidOf(input.organizationId, "Organization")!;
    const roles = normalizeRoles(input.roles);
    requireGrantable(await organizationRolesOf(ctx, organizationId), roles);
    const membership = await inTransaction(ctx, async (manager) => {
      const current = await this.lockMembership(manager, organizationId, input.userId);
      if (!roles.includes(OrganizationRole.ORG_OWNER)) {
        await requireAnotherOwner(manager, current, ["input", "roles"]);
      }
      if (!sameRoles(current.roles, roles)) {
        await ctx.services.events.record(manager, ctx, {
          type: EventType.ORG_MEMBER_ROLES_CHANGED,
          organizationId,
          userId: current.userId,
          roles,
        });
      }
      current.roles = roles;
      await manager.update(
        OrganizationMembershipEntity,
        { organizationId, userId: current.userId },
        { roles },
      );
      return current;
    });
    return { membership: OrganizationMembership.from(membership), userErrors: [] };
  }

  /** Removing a member also removes them from every project of the organization. */
  async remove(
    ctx: RequestContext,
    input: RemoveOrganizationMemberInput,
  ): Promise<RemoveOrganizationMemberPayload> {
    const organizationId = uuidOf(input.organizationId, "Organization")!;
    await inTransaction(ctx, async (manager) => {
      const current = await this.lockMembership(manager, organizationId, input.userId);
      await requireAnotherOwner(manager, current, ["input", "userId"]);
      await manager.delete(OrganizationMembershipEntity, {
        organizationId,
        userId: current.userId,
      });
      const removedFrom = await manager
        .createQueryBuilder()
        .delete()
        .from(ProjectMembershipEntity)
        .where("user_id = :userId", { userId: current.userId })
        .andWhere(
          "project_id IN (SELECT id FROM projects WHERE organization_id = :organizationId)",
          {
            organizationId,
          },
        )
        .returning("project_id")
        .execute();
      const about = { organizationId, userId: current.userId };
      await ctx.services.events.recordAll(manager, ctx, [
        { ...about, type: EventType.ORG_MEMBER_REMOVED },
        ...(removedFrom.raw as { project_id: string }[]).map((row) => ({
          ...about,
          type: EventType.GROUP_MEMBER_REMOVED,
          projectId: row.project_id,
        })),
      ]);
    });
    return { removedUserId: input.userId, userErrors: [] };
  }

  async listForOrganization(
    ctx: RequestContext,
    organizationId: string,
    args: ConnectionArgs,
  ): Promise<ConnectionShape<OrganizationMembership>> {
    await requireOrganizationMember(ctx, organizationId);
    const query = ctx.db
      .getRepository(OrganizationMembershipEntity)
      .createQueryBuilder("m")
      .where("m.organization_id = :organizationId", { organizationId });
    return connectionFor(
      OrganizationMembershipConnection,
      query,
      {
        createdAt: "m.created_at",
        id: "m.user_id",
        position: (row) => ({ createdAt: row.createdAt, id: row.userId }),
      },
      args,
      OrganizationMembership.from,
    );
  }

  /**
   * A user's organizations: all of them for the user themself; for anyone else only those
   * whose member lists the caller may read.
   */
  async listForUser(
    ctx: RequestContext,
    userId: string,
    args: ConnectionArgs,
  ): Promise<ConnectionShape<OrganizationMembership>> {
    requireAuthenticated(ctx);
    const query = onlyMembershipsCallerShares(
      ctx,
      ctx.db
        .getRepository(OrganizationMembershipEntity)
        .createQueryBuilder("m")
        .where("m.user_id = :userId", { userId }),
      "m",
      userId,
    );
    return connectionFor(
      OrganizationMembershipConnection,
      query,
      {
        createdAt: "m.created_at",
        id: "m.organization_id",
        position: (row) => ({ createdAt: row.createdAt, id: row.organizationId }),
      },
      args,
      OrganizationMembership.from,
    );
  }

  /**
   * Locks the organization row, so concurrent changes to its owners run one after another and
   * the last-owner rule cannot be raced, then returns the member's current membership.
   */
  private async lockMembership(
    manager: EntityManager,
    organizationId: string,
    userGlobalId: string,
  ): Promise<OrganizationMembershipEntity> {
    await lockOrganization(manager, organizationId);
    // Every member of the organization is visible to its owners, so no further visibility check.
    const userId = uuidOf(userGlobalId, "User");
    const membership = userId
      ? await manager.findOneBy(OrganizationMembershipEntity, { organizationId, userId })
      : null;
    if (!membership) throw notFound(["input", "userId"], "member of this organization");
    return membership;
  }
}

async function requireAnotherOwner(
  manager: EntityManager,
  membership: OrganizationMembershipEntity,
  field: string[],
): Promise<void> {
  if (!membership.roles.includes(OrganizationRole.ORG_OWNER)) return;
  const otherOwners = await manager
    .getRepository(OrganizationMembershipEntity)
    .createQueryBuilder("m")
    .where("m.organization_id = :organizationId", { organizationId: membership.organizationId })
    .andWhere("m.user_id <> :userId", { userId: membership.userId })
    .andWhere(":owner = ANY(m.roles)", { owner: OrganizationRole.ORG_OWNER })
    .getCount();
  if (otherOwners === 0) {
    throw UserInputError.of(
      UserErrorCode.LAST_OWNER,
      field,
      "An organization must keep at least one ORG_OWNER: make another member an owner first.",
    );
  }
}
