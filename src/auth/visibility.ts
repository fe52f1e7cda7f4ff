import type { ObjectLiteral, SelectQueryBuilder } from "typeorm";
import type { RequestContext } from "../graphql/context";
import { organizationRolesOf } from "./authorize";
import { seesEveryProject } from "./roles";

/**
 * The list side of authorization: filters that narrow a list query to the rows the caller may
 * see, by the same rules `authorize.ts` applies to single ids. Each takes the query's alias for
 * the listed table.
 */

/** Organizations the caller belongs to: a user's memberships, or an API key's one organization. */
export function onlyOwnOrganizations<Row extends ObjectLiteral>(
  ctx: RequestContext,
  query: SelectQueryBuilder<Row>,
  organization: string,
): SelectQueryBuilder<Row> {
  const principal = ctx.principal;
  if (principal.kind === "user") {
    return query.andWhere(
      `EXISTS (SELECT 1 FROM organization_memberships own
                WHERE own.organization_id = ${organization}.id AND own.user_id = :callerUserId)`,
      { callerUserId: principal.userId },
    );
  }
  if (principal.kind === "apiKey") {
    return query.andWhere(`${organization}.id = :callerOrganizationId`, {
      callerOrganizationId: principal.organizationId,
    });
  }
  return query.andWhere("false");
}

/**
 * Organization memberships of someone else, narrowed to organizations the caller also belongs to
 * (a user's own memberships are all theirs to see).
 */
export function onlyMembershipsCallerShares<Row extends ObjectLiteral>(
  ctx: RequestContext,
  query: SelectQueryBuilder<Row>,
  membership: string,
  memberUserId: string,
): SelectQueryBuilder<Row> {
  const principal = ctx.principal;
  if (principal.kind === "user" && principal.userId === memberUserId) return query;
  if (principal.kind === "user") {
    return query.andWhere(
      `EXISTS (SELECT 1 FROM organization_memberships mine
                WHERE mine.organization_id = ${membership}.organization_id AND mine.user_id = :callerUserId)`,
      { callerUserId: principal.userId },
    );
  }
  if (principal.kind === "apiKey") {
    return query.andWhere(`${membership}.organization_id = :callerOrganizationId`, {
      callerOrganizationId: principal.organizationId,
    });
  }
  return query.andWhere("false");
}

/**
 * Projects of one organization the caller sees: all of them for an ORG_OWNER or ORG_READ_ONLY,
 * otherwise those the caller (user or key) holds a role in.
 */
export async function onlyVisibleProjects<Row extends ObjectLiteral>(
  ctx: RequestContext,
  query: SelectQueryBuilder<Row>,
  project: string,
  organizationId: string,
): Promise<SelectQueryBuilder<Row>> {
  if (seesEveryProject(await organizationRolesOf(ctx, organizationId))) return query;
  const principal = ctx.principal;
  if (principal.kind === "user") {
    return query.andWhere(
      `EXISTS (SELECT 1 FROM project_memberships pm
                WHERE pm.project_id = ${project}.id AND pm.user_id = :callerUserId)`,
      { callerUserId: principal.userId },
    );
  }
  if (principal.kind === "apiKey") {
    return query.andWhere(
      `EXISTS (SELECT 1 FROM api_key_project_assignments a
                WHERE a.project_id = ${project}.id AND a.api_key_id = :callerApiKeyId)`,
      { callerApiKeyId: principal.apiKeyId },
    );
  }
  return query.andWhere("false");
}
