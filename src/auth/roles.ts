/**
 * Role names and what they imply, as in MongoDB Atlas / Ops Manager.
 * Pure: no I/O, so the whole permission model is unit tested here.
 */

export enum OrganizationRole {
  ORG_OWNER = "ORG_OWNER",
  ORG_MEMBER = "ORG_MEMBER",
  ORG_GROUP_CREATOR = "ORG_GROUP_CREATOR",
  ORG_BILLING_ADMIN = "ORG_BILLING_ADMIN",
  ORG_BILLING_READ_ONLY = "ORG_BILLING_READ_ONLY",
  ORG_READ_ONLY = "ORG_READ_ONLY",
}

export enum ProjectRole {
  GROUP_OWNER = "GROUP_OWNER",
  GROUP_USER_ADMIN = "GROUP_USER_ADMIN",
  GROUP_READ_ONLY = "GROUP_READ_ONLY",
  GROUP_CLUSTER_MANAGER = "GROUP_CLUSTER_MANAGER",
  GROUP_DATA_ACCESS_ADMIN = "GROUP_DATA_ACCESS_ADMIN",
  GROUP_DATA_ACCESS_READ_WRITE = "GROUP_DATA_ACCESS_READ_WRITE",
  GROUP_DATA_ACCESS_READ_ONLY = "GROUP_DATA_ACCESS_READ_ONLY",
  GROUP_AUTOMATION_ADMIN = "GROUP_AUTOMATION_ADMIN",
  GROUP_BACKUP_ADMIN = "GROUP_BACKUP_ADMIN",
  GROUP_MONITORING_ADMIN = "GROUP_MONITORING_ADMIN",
}

export const ALL_ORGANIZATION_ROLES: readonly OrganizationRole[] = Object.values(OrganizationRole);
export const ALL_PROJECT_ROLES: readonly ProjectRole[] = Object.values(ProjectRole);

const ORGANIZATION_ROLE_NAMES = new Set<string>(ALL_ORGANIZATION_ROLES);
const PROJECT_ROLE_NAMES = new Set<string>(ALL_PROJECT_ROLES);

export function isOrganizationRole(role: string): role is OrganizationRole {
  return ORGANIZATION_ROLE_NAMES.has(role);
}

export function isProjectRole(role: string): role is ProjectRole {
  return PROJECT_ROLE_NAMES.has(role);
}

/** Roles held through another: an owner holds every role of its level. */
const IMPLIED_ORGANIZATION_ROLES: Partial<Record<OrganizationRole, readonly OrganizationRole[]>> = {
  [OrganizationRole.ORG_OWNER]: ALL_ORGANIZATION_ROLES,
  [OrganizationRole.ORG_BILLING_ADMIN]: [OrganizationRole.ORG_BILLING_READ_ONLY],
};

/** The organization roles a holder of `granted` effectively has. */
export function effectiveOrganizationRoles(
  granted: Iterable<OrganizationRole>,
): ReadonlySet<OrganizationRole> {
  const effective = new Set<OrganizationRole>();
  for (const role of granted) {
    effective.add(role);
    for (const implied of IMPLIED_ORGANIZATION_ROLES[role] ?? []) effective.add(implied);
  }
  return effective;
}

/**
 * The project roles a holder effectively has in one project, given its roles in the project's
 * organization and in the project itself. An ORG_OWNER holds every project role in every project;
 * an ORG_READ_ONLY reads every project; a GROUP_OWNER holds every project role of its project.
 */
export function effectiveProjectRoles(
  organizationRoles: Iterable<OrganizationRole>,
  projectRoles: Iterable<ProjectRole>,
): ReadonlySet<ProjectRole> {
  const organization = new Set(organizationRoles);
  if (organization.has(OrganizationRole.ORG_OWNER)) return new Set(ALL_PROJECT_ROLES);
  const effective = new Set(projectRoles);
  if (effective.has(ProjectRole.GROUP_OWNER)) return new Set(ALL_PROJECT_ROLES);
  if (organization.has(OrganizationRole.ORG_READ_ONLY)) effective.add(ProjectRole.GROUP_READ_ONLY);
  return effective;
}

/** Organization roles that let their holder see every project of the organization. */
export function seesEveryProject(organizationRoles: Iterable<OrganizationRole>): boolean {
  for (const role of organizationRoles) {
    if (role === OrganizationRole.ORG_OWNER || role === OrganizationRole.ORG_READ_ONLY) return true;
  }
  return false;
}

export function holdsAny<Role>(held: ReadonlySet<Role>, anyOf: readonly Role[]): boolean {
  return anyOf.some((role) => held.has(role));
}

/**
 * Nobody grants what they do not hold. The one exception is Atlas's: a GROUP_USER_ADMIN manages
 * the project's access and so may grant every project role except GROUP_OWNER.
 * Returns the requested roles the caller may not grant (empty when the grant is allowed).
 */
export function ungrantableRoles<Role extends OrganizationRole | ProjectRole>(
  callerEffectiveRoles: ReadonlySet<OrganizationRole | ProjectRole>,
  requested: readonly Role[],
): Role[] {
  const isUserAdmin = callerEffectiveRoles.has(ProjectRole.GROUP_USER_ADMIN);
  return requested.filter(
    (role) =>
      !callerEffectiveRoles.has(role) &&
      !(isUserAdmin && isProjectRole(role) && role !== ProjectRole.GROUP_OWNER),
  );
}

export function canGrant<Role extends OrganizationRole | ProjectRole>(
  callerEffectiveRoles: ReadonlySet<OrganizationRole | ProjectRole>,
  requested: readonly Role[],
): boolean {
  return ungrantableRoles(callerEffectiveRoles, requested).length === 0;
}

const ROLE_RANK = new Map<string, number>(
  [...ALL_ORGANIZATION_ROLES, ...ALL_PROJECT_ROLES].map((role, rank) => [role, rank]),
);

/** Without duplicates, in declaration order: the stored and listed form of a role set. */
export function normalizeRoles<Role extends OrganizationRole | ProjectRole>(
  roles: readonly Role[],
): Role[] {
  return [...new Set(roles)].sort((a, b) => ROLE_RANK.get(a)! - ROLE_RANK.get(b)!);
}
