import DataLoader from "dataloader";
import { In, type EntityManager, type EntityTarget, type ObjectLiteral } from "typeorm";
import { createApiKeyLoaders, type ApiKeyLoaders } from "../api-keys/api-key.loaders";
import { OrganizationEntity } from "../organizations/organization.entity";
import { ProjectEntity } from "../projects/project.entity";
import { UserEntity } from "../users/user.entity";

/** Per-request loaders of rows by id; relation fields resolve through them, never one query each. */
export interface EntityLoaders extends ApiKeyLoaders {
  readonly user: DataLoader<string, UserEntity | null>;
  readonly organization: DataLoader<string, OrganizationEntity | null>;
  readonly project: DataLoader<string, ProjectEntity | null>;
}

export function byIdLoader<Entity extends ObjectLiteral & { id: string }>(
  db: EntityManager,
  target: EntityTarget<Entity>,
): DataLoader<string, Entity | null> {
  return new DataLoader(async (ids) => {
    const rows = await db.getRepository(target).findBy({ id: In([...ids]) } as never);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

export function createEntityLoaders(db: EntityManager): EntityLoaders {
  return {
    user: byIdLoader(db, UserEntity),
    organization: byIdLoader(db, OrganizationEntity),
    project: byIdLoader(db, ProjectEntity),
    ...createApiKeyLoaders(db),
  };
}
