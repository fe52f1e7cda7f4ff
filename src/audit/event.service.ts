import type { SelectQueryBuilder } from "typeorm";
import { ApiKey } from "../api-keys/api-key.type";
import { canReadEvent, canSeeApiKey } from "../auth/authorize";
import { connectionFor, type ConnectionArgs, type ConnectionShape } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { uuidOf } from "../graphql/global-id";
import { Organization } from "../organizations/organization.type";
import { Project } from "../projects/project.type";
import { User } from "../users/user.type";
import { EventEntity } from "./event.entity";
import type { EventFilter } from "./event.inputs";
import { Event, EventConnection } from "./event.type";

/**
 * Reading the audit trail: newest first, keyset pages over `(created_at, id)`, filtered by type,
 * key and time. Who may read is decided by the fields' directives (an organization's events:
 * ORG_OWNER; a project's: GROUP_OWNER / GROUP_USER_ADMIN) and, for `node()`, by `canReadEvent`,
 * the same rule. The actor and targets resolve through the request's loaders (users for any
 * reader of the event, keys only for a reader who may see them); once deleted they are null and
 * the labels stay.
 */
export class EventService {
  /** Guarded by `@hasOrgRole(anyOf: [ORG_OWNER])` on the organization. */
  listForOrganization(
    ctx: RequestContext,
    organizationId: string,
    args: ConnectionArgs,
    filter: EventFilter | null | undefined,
  ): Promise<ConnectionShape<Event>> {
    return this.list(ctx, "e.organization_id = :scopeId", organizationId, args, filter);
  }

  /** Guarded by `@hasProjectRole(anyOf: [GROUP_OWNER, GROUP_USER_ADMIN])` on the project. */
  listForProject(
    ctx: RequestContext,
    projectId: string,
    args: ConnectionArgs,
    filter: EventFilter | null | undefined,
  ): Promise<ConnectionShape<Event>> {
    return this.list(ctx, "e.project_id = :scopeId", projectId, args, filter);
  }

  /** An event the caller may read, or null exactly as for an unknown id. */
  async findVisible(ctx: RequestContext, eventId: string): Promise<Event | null> {
    if (ctx.principal.kind === "anonymous") return null;
    const entity = await ctx.db.getRepository(EventEntity).findOneBy({ id: eventId });
    if (!entity || !(await canReadEvent(ctx, entity))) return null;
    return Event.from(entity);
  }

  async actor(ctx: RequestContext, event: Event): Promise<User | ApiKey | null> {
    if (event.actorUserId) return this.eventUser(ctx, event.actorUserId);
    if (event.actorApiKeyId) return this.visibleApiKey(ctx, event.actorApiKeyId);
    return null;
  }

  async organization(ctx: RequestContext, event: Event): Promise<Organization> {
    const entity = await ctx.loaders.organization.load(event.organizationId);
    if (!entity) throw new Error(`Organization ${event.organizationId} vanished while being read`);
    return Organization.from(entity);
  }

  async project(ctx: RequestContext, event: Event): Promise<Project | null> {
    if (!event.projectId) return null;
    const entity = await ctx.loaders.project.load(event.projectId);
    return entity ? Project.from(entity) : null;
  }

  targetApiKey(ctx: RequestContext, event: Event): Promise<ApiKey | null> {
    return event.targetApiKeyId
      ? this.visibleApiKey(ctx, event.targetApiKeyId)
      : Promise.resolve(null);
  }

  targetUser(ctx: RequestContext, event: Event): Promise<User | null> {
    return event.targetUserId ? this.eventUser(ctx, event.targetUserId) : Promise.resolve(null);
  }

  private async list(
    ctx: RequestContext,
    scope: string,
    scopeId: string,
    args: ConnectionArgs,
    filter: EventFilter | null | undefined,
  ): Promise<ConnectionShape<Event>> {
    const query = applyEventFilter(
      ctx.db.getRepository(EventEntity).createQueryBuilder("e").where(scope, { scopeId }),
      filter,
    );
    return connectionFor(
      EventConnection,
      query,
      {
        createdAt: "e.created_at",
        id: "e.id",
        descending: true,
        position: (row) => ({ createdAt: row.createdAt, id: row.id }),
      },
      args,
      Event.from,
    );
  }

  /**
   * A user an event names (its actor or the member it changed) is shown to whoever may read the
   * event, even once they left the organization: the trail must say who was removed. Keys, which
   * carry more (roles, access list, secrets), still need `canSeeApiKey`.
   */
  private async eventUser(ctx: RequestContext, userId: string): Promise<User | null> {
    const entity = await ctx.loaders.user.load(userId);
    return entity ? User.from(entity) : null;
  }

  private async visibleApiKey(ctx: RequestContext, apiKeyId: string): Promise<ApiKey | null> {
    if (!(await canSeeApiKey(ctx, apiKeyId))) return null;
    const entity = await ctx.loaders.apiKey.load(apiKeyId);
    return entity ? ApiKey.from(entity) : null;
  }
}

/**
 * Narrows an events query by every field the filter sets. An `apiKeyId` that names no key (or
 * is not a key's id at all) matches nothing, as an unknown key would. `since` is inclusive,
 * `until` exclusive.
 */
export function applyEventFilter(
  query: SelectQueryBuilder<EventEntity>,
  filter: EventFilter | null | undefined,
): SelectQueryBuilder<EventEntity> {
  if (!filter) return query;
  if (filter.types) {
    if (filter.types.length === 0) return query.andWhere("FALSE");
    query.andWhere("e.type IN (:...types)", { types: [...new Set(filter.types)] });
  }
  if (filter.apiKeyId !== undefined && filter.apiKeyId !== null) {
    const apiKeyId = uuidOf(filter.apiKeyId, "ApiKey");
    if (!apiKeyId) return query.andWhere("FALSE");
    query.andWhere("e.target_api_key_id = :apiKeyId", { apiKeyId });
  }
  if (filter.since) query.andWhere("e.created_at >= :since", { since: filter.since });
  if (filter.until) query.andWhere("e.created_at < :until", { until: filter.until });
  return query;
}
