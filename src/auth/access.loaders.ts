import DataLoader from "dataloader";
import type { EntityManager } from "typeorm";
import type { EntityLoaders } from "../graphql/entity.loaders";
import { OrganizationEntity } from "../organizations/organization.entity";
import { ProjectEntity } from "../projects/project.entity";
import type { OrganizationRole, ProjectRole } from "./roles";
import type { Principal } from "./principal";

/** What the caller holds in one organization. */
export interface OrganizationAccess {
  /** Roles granted in the organization itself (not yet expanded by implication). */
  readonly roles: readonly OrganizationRole[];
  /** True when the caller holds a role in at least one of its projects. */
  readonly throughProject: boolean;
}

/** What the caller holds in one project; null when the project does not exist. */
export interface ProjectAccess {
  readonly organizationId: string;
  readonly organizationRoles: readonly OrganizationRole[];
  readonly projectRoles: readonly ProjectRole[];
}

export interface AccessLoaders {
  organization: DataLoader<string, OrganizationAccess>;
  project: DataLoader<string, ProjectAccess | null>;
  /** Whether the caller may see a user: themself, or someone in an organization they belong to. */
  userVisible: DataLoader<string, boolean>;
}

const NO_ACCESS: OrganizationAccess = Object.freeze({ roles: [], throughProject: false });

/** Columns every access query returns about the organization or project itself. */
interface OrganizationColumns {
  organization_id: string;
  organization_name: string;
  api_access_list_required: boolean;
  max_api_key_lifetime_days: number | null;
  organization_created_at: Date;
}

interface ProjectColumns {
  id: string;
  organization_id: string;
  name: string;
  created_at: Date;
}

/**
 * Per-request loaders of the caller's roles, batched: whatever a query touches, each kind of
 * lookup is one SQL statement per tick. The SQL depends on who the caller is. Each access query
 * also reads the organization or project row itself and primes the entity loaders with it, so
 * checking access and then reading the thing costs one round trip, not two.
 */
export function createAccessLoaders(
  db: EntityManager,
  principal: Principal,
  entities: Pick<EntityLoaders, "organization" | "project">,
): AccessLoaders {
  return {
    organization: new DataLoader(async (organizationIds) => {
      const rows: (OrganizationColumns & {
        roles: OrganizationRole[] | null;
        through_project: boolean | null;
      })[] = await organizationAccessQuery(db, principal, organizationIds);
      for (const row of rows) {
        entities.organization.prime(
          row.organization_id,
          Object.assign(new OrganizationEntity(), {
            id: row.organization_id,
            name: row.organization_name,
            apiAccessListRequired: row.api_access_list_required,
            maxApiKeyLifetimeDays: row.max_api_key_lifetime_days,
            createdAt: row.organization_created_at,
          }),
        );
      }
      const byId = new Map(rows.map((row) => [row.organization_id, row]));
      return organizationIds.map((id) => {
        const row = byId.get(id);
        if (!row) return NO_ACCESS;
        return { roles: row.roles ?? [], throughProject: row.through_project ?? false };
      });
    }),
    project: new DataLoader(async (projectIds) => {
      const rows: (ProjectColumns & {
        organization_roles: OrganizationRole[] | null;
        project_roles: ProjectRole[] | null;
      })[] = await projectAccessQuery(db, principal, projectIds);
      for (const row of rows) {
        entities.project.prime(
          row.id,
          Object.assign(new ProjectEntity(), {
            id: row.id,
            organizationId: row.organization_id,
            name: row.name,
            createdAt: row.created_at,
          }),
        );
      }
      const byId = new Map(rows.map((row) => [row.id, row]));
      return projectIds.map((id) => {
        const row = byId.get(id);
        if (!row) return null;
        return {
          organizationId: row.organization_id,
          organizationRoles: row.organization_roles ?? [],
          projectRoles: row.project_roles ?? [],
        };
      });
    }),
    userVisible: new DataLoader(async (userIds) => {
      const visible = new Set(
        (await visibleUsersQuery(db, principal, userIds)).map(
          (row: { user_id: string }) => row.user_id,
        ),
      );
      return userIds.map((id) => visible.has(id));
    }),
  };
}

function organizationAccessQuery(db: EntityManager, principal: Principal, ids: readonly string[]) {
  switch (principal.kind) {
    case "user":
      return db.query(
        `SELECT o.id AS organization_id, o.name AS organization_name, o.api_access_list_required,
                o.max_api_key_lifetime_days, o.created_at AS organization_created_at, om.roles,
                EXISTS (SELECT 1 FROM project_memberships pm JOIN projects p ON p.id = pm.project_id
                         WHERE pm.user_id = $1 AND p.organization_id = o.id) AS through_project
           FROM organizations o
           LEFT JOIN organization_memberships om ON om.organization_id = o.id AND om.user_id = $1
          WHERE o.id = ANY($2::uuid[])`,
        [principal.userId, ids],
      );
    case "apiKey":
      return db.query(
        `SELECT o.id AS organization_id, o.name AS organization_name, o.api_access_list_required,
                o.max_api_key_lifetime_days, o.created_at AS organization_created_at, k.roles,
                EXISTS (SELECT 1 FROM api_key_project_assignments a WHERE a.api_key_id = k.id) AS through_project
           FROM organizations o
           LEFT JOIN api_keys k ON k.organization_id = o.id AND k.id = $1
          WHERE o.id = ANY($2::uuid[])`,
        [principal.apiKeyId, ids],
      );
    default:
      return Promise.resolve([]);
  }
}

function projectAccessQuery(db: EntityManager, principal: Principal, ids: readonly string[]) {
  switch (principal.kind) {
    case "user":
      return db.query(
        `SELECT p.id, p.organization_id, p.name, p.created_at, om.roles AS organization_roles, pm.roles AS project_roles
           FROM projects p
           LEFT JOIN organization_memberships om ON om.organization_id = p.organization_id AND om.user_id = $1
           LEFT JOIN project_memberships pm ON pm.project_id = p.id AND pm.user_id = $1
          WHERE p.id = ANY($2::uuid[])`,
        [principal.userId, ids],
      );
    case "apiKey":
      return db.query(
        `SELECT p.id, p.organization_id, p.name, p.created_at, k.roles AS organization_roles, a.roles AS project_roles
           FROM projects p
           LEFT JOIN api_keys k ON k.id = $1 AND k.organization_id = p.organization_id
           LEFT JOIN api_key_project_assignments a ON a.project_id = p.id AND a.api_key_id = k.id
          WHERE p.id = ANY($2::uuid[])`,
        [principal.apiKeyId, ids],
      );
    default:
      // Anonymous callers hold nothing, but "does it exist" must still be answered uniformly.
      return db.query(
        `SELECT p.id, p.organization_id, p.name, p.created_at, NULL AS organization_roles, NULL AS project_roles
           FROM projects p WHERE p.id = ANY($1::uuid[])`,
        [ids],
      );
  }
}

function visibleUsersQuery(db: EntityManager, principal: Principal, ids: readonly string[]) {
  switch (principal.kind) {
    case "user":
      return db.query(
        `SELECT u.id AS user_id FROM users u
          WHERE u.id = ANY($2::uuid[])
            AND (u.id = $1 OR EXISTS (
                  SELECT 1 FROM organization_memberships mine
                    JOIN organization_memberships theirs ON theirs.organization_id = mine.organization_id
                   WHERE mine.user_id = $1 AND theirs.user_id = u.id))`,
        [principal.userId, ids],
      );
    case "apiKey":
      return db.query(
        `SELECT m.user_id FROM organization_memberships m
          WHERE m.organization_id = $1 AND m.user_id = ANY($2::uuid[])`,
        [principal.organizationId, ids],
      );
    default:
      return Promise.resolve([]);
  }
}
