import type { RequestContext } from "../graphql/context";
import { forbiddenError, unauthenticatedError } from "../graphql/errors";
import { uuidOf } from "../graphql/global-id";
import type { ApiKeyPrincipal, UserPrincipal } from "./principal";
import {
  effectiveOrganizationRoles,
  effectiveProjectRoles,
  holdsAny,
  ungrantableRoles,
  OrganizationRole,
  ProjectRole,
} from "./roles";

/**
 * The one implementation of "may the caller do this". Every guarded field, directive and service
 * asks here; role lookups go through the request's DataLoaders, so repeated checks are free.
 *
 * Failures come in two kinds, on purpose:
 * - `NotVisibleError`: the caller may not even know the thing exists. Callers turn it into exactly
 *   what an unknown id gets (null, or a NOT_FOUND user error), never FORBIDDEN.
 * - FORBIDDEN `GraphQLError`: the caller sees the thing but lacks the role.
 */
export class NotVisibleError extends Error {
  constructor() {
    super("Not visible to the caller");
    this.name = "NotVisibleError";
  }
}

/** Any signed-in user or API key. */
export function requireAuthenticated(ctx: RequestContext): UserPrincipal | ApiKeyPrincipal {
  if (ctx.principal.kind === "anonymous") throw unauthenticatedError();
  return ctx.principal;
}

/** A signed-in user; API keys cannot act as a user (`@userOnly`). */
export function requireUser(ctx: RequestContext): UserPrincipal {
  const principal = requireAuthenticated(ctx);
  if (principal.kind !== "user") {
    throw forbiddenError("Only a signed-in user can do this; API keys cannot.");
  }
  return principal;
}

/** The caller's effective roles in an organization (empty for outsiders and anonymous callers). */
export async function organizationRolesOf(
  ctx: RequestContext,
  organizationId: string,
): Promise<ReadonlySet<OrganizationRole>> {
  const access = await ctx.loaders.access.organization.load(organizationId);
  return effectiveOrganizationRoles(access.roles);
}

/** Members see their organization; so does anyone holding a role in one of its projects. */
export async function canSeeOrganization(
  ctx: RequestContext,
  organizationId: string,
): Promise<boolean> {
  const access = await ctx.loaders.access.organization.load(organizationId);
  return access.roles.length > 0 || access.throughProject;
}

/** The caller's effective roles in a project, or null when the project does not exist. */
export async function projectRolesOf(
  ctx: RequestContext,
  projectId: string,
): Promise<{ organizationId: string; roles: ReadonlySet<ProjectRole> } | null> {
  const access = await ctx.loaders.access.project.load(projectId);
  if (!access) return null;
  return {
    organizationId: access.organizationId,
    roles: effectiveProjectRoles(access.organizationRoles, access.projectRoles),
  };
}

export async function canSeeProject(ctx: RequestContext, projectId: string): Promise<boolean> {
  const access = await projectRolesOf(ctx, projectId);
  return access !== null && access.roles.size > 0;
}

export async function canSeeUser(ctx: RequestContext, userId: string): Promise<boolean> {
  if (ctx.principal.kind === "anonymous") return false;
  return ctx.loaders.access.userVisible.load(userId);
}

/**
 * Passes when the caller holds one of `anyOf` in the organization; returns the caller's effective
 * roles there, for grant checks.
 */
export async function requireOrgRole(
  ctx: RequestContext,
  organizationId: string,
  anyOf: readonly OrganizationRole[],
): Promise<ReadonlySet<OrganizationRole>> {
  requireAuthenticated(ctx);
  if (!(await canSeeOrganization(ctx, organizationId))) throw new NotVisibleError();
  const roles = await organizationRolesOf(ctx, organizationId);
  if (!holdsAny(roles, anyOf)) throw forbiddenError(missingRoleMessage(anyOf, "organization"));
  return roles;
}

/**
 * Passes when the caller holds one of `anyOf` in the project (an ORG_OWNER of its organization
 * holds every project role); returns the project's organization and the caller's effective roles.
 */
export async function requireProjectRole(
  ctx: RequestContext,
  projectId: string,
  anyOf: readonly ProjectRole[],
): Promise<{ organizationId: string; roles: ReadonlySet<ProjectRole> }> {
  requireAuthenticated(ctx);
  const access = await projectRolesOf(ctx, projectId);
  if (!access || access.roles.size === 0) throw new NotVisibleError();
  if (!holdsAny(access.roles, anyOf)) throw forbiddenError(missingRoleMessage(anyOf, "project"));
  return access;
}

function missingRoleMessage(anyOf: readonly string[], scope: "organization" | "project"): string {
  const roles = anyOf.join(" or ");
  return `This needs the ${roles} role in the ${scope}.`;
}

const KEY_ADMIN_PROJECT_ROLES: readonly ProjectRole[] = [
  ProjectRole.GROUP_OWNER,
  ProjectRole.GROUP_USER_ADMIN,
];

/**
 * An API key is visible to an ORG_OWNER of its organization, to a GROUP_OWNER or
 * GROUP_USER_ADMIN of a project it is assigned to, and to the key itself.
 */
export async function canSeeApiKey(ctx: RequestContext, apiKeyId: string): Promise<boolean> {
  if (ctx.principal.kind === "anonymous") return false;
  if (ctx.principal.kind === "apiKey" && ctx.principal.apiKeyId === apiKeyId) return true;
  const key = await ctx.loaders.apiKey.load(apiKeyId);
  if (!key) return false;
  if ((await organizationRolesOf(ctx, key.organizationId)).has(OrganizationRole.ORG_OWNER)) {
    return true;
  }
  const assignments = await ctx.loaders.apiKeyAssignments.load(apiKeyId);
  for (const assignment of assignments) {
    const access = await projectRolesOf(ctx, assignment.projectId);
    if (access && holdsAny(access.roles, KEY_ADMIN_PROJECT_ROLES)) return true;
  }
  return false;
}

/**
 * Who may change a key's access list or its secrets (rotate, revoke): an ORG_OWNER of its
 * organization; or, for a key that holds no organization role beyond ORG_MEMBER and is assigned to
 * at least one project, a GROUP_OWNER or GROUP_USER_ADMIN of every project it is assigned to, so a
 * project admin never reaches beyond what they administer.
 */
export async function requireKeyAdministrator(
  ctx: RequestContext,
  apiKeyId: string,
): Promise<void> {
  requireAuthenticated(ctx);
  if (!(await canSeeApiKey(ctx, apiKeyId))) throw new NotVisibleError();
  const key = (await ctx.loaders.apiKey.load(apiKeyId))!;
  if ((await organizationRolesOf(ctx, key.organizationId)).has(OrganizationRole.ORG_OWNER)) return;
  const denied = forbiddenError(
    "Changing this key's access list or secrets needs ORG_OWNER, or GROUP_OWNER / GROUP_USER_ADMIN of every project the key is assigned to when the key holds no organization role beyond ORG_MEMBER.",
  );
  if (key.roles.some((role) => role !== OrganizationRole.ORG_MEMBER)) throw denied;
  const assignments = await ctx.loaders.apiKeyAssignments.load(apiKeyId);
  if (assignments.length === 0) throw denied;
  for (const assignment of assignments) {
    const access = await projectRolesOf(ctx, assignment.projectId);
    if (!access || !holdsAny(access.roles, KEY_ADMIN_PROJECT_ROLES)) throw denied;
  }
}

/**
 * Nobody grants, or takes away, a role they could not grant (`ungrantableRoles` has the rule).
 * `callerRoles` are the caller's effective roles where the grant happens.
 */
export function requireGrantable(
  callerRoles: ReadonlySet<OrganizationRole | ProjectRole>,
  roles: readonly (OrganizationRole | ProjectRole)[],
): void {
  const ungrantable = ungrantableRoles(callerRoles, roles);
  if (ungrantable.length > 0) {
    throw forbiddenError(
      `You cannot grant or take away a role you do not hold: ${ungrantable.join(", ")}.`,
    );
  }
}

/**
 * The project named by a mutation's input after its `@hasProjectRole` directive admitted the
 * caller: its id, its organization and the caller's effective roles in it (for grant checks).
 */
export async function admittedProject(
  ctx: RequestContext,
  projectGlobalId: string,
): Promise<{ projectId: string; organizationId: string; callerRoles: ReadonlySet<ProjectRole> }> {
  const projectId = uuidOf(projectGlobalId, "Project");
  const access = projectId ? await projectRolesOf(ctx, projectId) : null;
  if (!projectId || !access)
    throw new Error("admittedProject called without the project directive");
  return { projectId, organizationId: access.organizationId, callerRoles: access.roles };
}

/**
 * Member lists are for the organization's own members and keys (any organization role); a caller
 * who sees the organization only through a project does not read its whole membership.
 */
export async function requireOrganizationMember(
  ctx: RequestContext,
  organizationId: string,
): Promise<void> {
  if ((await organizationRolesOf(ctx, organizationId)).size === 0) {
    throw forbiddenError("Only members of the organization can list its members.");
  }
}

/** Who reads a project's events: the roles of `Project.events`' directive. */
const PROJECT_EVENT_READERS: readonly ProjectRole[] = [
  ProjectRole.GROUP_OWNER,
  ProjectRole.GROUP_USER_ADMIN,
];

/**
 * The events fields' rule for one event (`node()`): ORG_OWNER of its organization, or an owner /
 * user admin of the project it names.
 */
export async function canReadEvent(
  ctx: RequestContext,
  event: { readonly organizationId: string; readonly projectId: string | null },
): Promise<boolean> {
  const organizationRoles = await organizationRolesOf(ctx, event.organizationId);
  if (organizationRoles.has(OrganizationRole.ORG_OWNER)) return true;
  if (!event.projectId) return false;
  const access = await projectRolesOf(ctx, event.projectId);
  return access !== null && holdsAny(access.roles, PROJECT_EVENT_READERS);
}
