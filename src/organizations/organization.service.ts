import { EventType } from "../audit/event-kinds";
import { canSeeOrganization, requireUser } from "../auth/authorize";
import { OrganizationRole, normalizeRoles } from "../auth/roles";
import { onlyOwnOrganizations } from "../auth/visibility";
import { inTransaction } from "../db/transaction";
import { connectionFor, type ConnectionArgs, type ConnectionShape } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { uuidOf } from "../graphql/global-id";
import { OrganizationMembershipEntity } from "./organization-membership.entity";
import { OrganizationConnection } from "./organization-membership.type";
import { lockOrganization } from "./organization-lock";
import { OrganizationEntity } from "./organization.entity";
import type {
  CreateOrganizationInput,
  UpdateOrganizationSettingsInput,
} from "./organization.inputs";
import type {
  CreateOrganizationPayload,
  UpdateOrganizationSettingsPayload,
} from "./organization.payloads";
import { Organization } from "./organization.type";

export class OrganizationService {
  /** The caller becomes the organization's first ORG_OWNER. */
  async create(
    ctx: RequestContext,
    input: CreateOrganizationInput,
  ): Promise<CreateOrganizationPayload> {
    const { userId } = requireUser(ctx);
    const organization = await inTransaction(ctx, async (manager) => {
      const created = manager.create(OrganizationEntity, { name: input.name });
      await manager.insert(OrganizationEntity, created);
      const roles = [OrganizationRole.ORG_OWNER];
      await manager.insert(OrganizationMembershipEntity, {
        organizationId: created.id,
        userId,
        roles,
      });
      // No ORG_CREATED in Atlas's list: the creator's becoming its first owner is the fact.
      await ctx.services.events.record(manager, ctx, {
        type: EventType.ORG_MEMBER_ADDED,
        organizationId: created.id,
        userId,
        roles,
      });
      return created;
    });
    return { organization: Organization.from(organization), userErrors: [] };
  }

  /**
   * Guarded by `@hasOrgRole(anyOf: [ORG_OWNER])` on the organization. Omitted fields stay as they
   * are; `maxApiKeyLifetimeDays: null` removes the limit (keys created before keep their expiry).
   */
  async updateSettings(
    ctx: RequestContext,
    input: UpdateOrganizationSettingsInput,
  ): Promise<UpdateOrganizationSettingsPayload> {
    const organizationId = uuidOf(input.organizationId, "Organization")!;
    const changes: Partial<OrganizationEntity> = {};
    if (input.apiAccessListRequired !== undefined && input.apiAccessListRequired !== null) {
      changes.apiAccessListRequired = input.apiAccessListRequired;
    }
    if (input.maxApiKeyLifetimeDays !== undefined) {
      changes.maxApiKeyLifetimeDays = input.maxApiKeyLifetimeDays;
    }
    const organization = await inTransaction(ctx, async (manager) => {
      const before = await lockOrganization(manager, organizationId);
      const changed = (Object.keys(changes) as (keyof typeof changes)[]).some(
        (setting) => before?.[setting] !== changes[setting],
      );
      if (changed) {
        await manager.update(OrganizationEntity, { id: organizationId }, changes);
        await ctx.services.events.record(manager, ctx, {
          type: EventType.ORG_SETTINGS_CHANGED,
          organizationId,
        });
      }
      return manager.findOneByOrFail(OrganizationEntity, { id: organizationId });
    });
    // The lifetime policy binds keys created later, not how existing keys authenticate.
    if (changes.apiAccessListRequired !== undefined) {
      await ctx.services.keyChanges.organizationChanged(organizationId);
    }
    return { organization: Organization.from(organization), userErrors: [] };
  }

  /** An organization the caller may see, or null exactly as for an unknown id. */
  async findVisible(ctx: RequestContext, organizationId: string): Promise<Organization | null> {
    if (!(await canSeeOrganization(ctx, organizationId))) return null;
    const entity = await ctx.loaders.organization.load(organizationId);
    return entity ? Organization.from(entity) : null;
  }

  /** Loads an organization whose visibility follows from the parent the caller already sees. */
  async load(ctx: RequestContext, organizationId: string): Promise<Organization> {
    const entity = await ctx.loaders.organization.load(organizationId);
    if (!entity) throw new Error(`Organization ${organizationId} vanished while being read`);
    return Organization.from(entity);
  }

  /** The caller's own organizations: a user's memberships, or an API key's one organization. */
  async listForViewer(
    ctx: RequestContext,
    args: ConnectionArgs,
  ): Promise<ConnectionShape<Organization>> {
    const query = onlyOwnOrganizations(
      ctx,
      ctx.db.getRepository(OrganizationEntity).createQueryBuilder("o"),
      "o",
    );
    return connectionFor(
      OrganizationConnection,
      query,
      { createdAt: "o.created_at", id: "o.id", position: positionOf },
      args,
      Organization.from,
    );
  }

  /** Roles granted to the caller in the organization itself (empty for a caller who sees it only through a project). */
  async viewerRoles(ctx: RequestContext, organization: Organization): Promise<OrganizationRole[]> {
    const access = await ctx.loaders.access.organization.load(organization.uuid);
    return normalizeRoles([...access.roles]);
  }
}

function positionOf(organization: OrganizationEntity) {
  return { createdAt: organization.createdAt, id: organization.id };
}
