import type { EntityManager } from "typeorm";
import { OrganizationEntity } from "./organization.entity";

/**
 * Locks an organization's row until the transaction ends and returns it (null for no such row). Changes whose rules span the whole
 * organization (its last owner, its key limit) take this lock first, so they run one after
 * another instead of racing; project changes that depend on membership take a share lock on
 * the membership instead (see project.service.ts).
 */
export async function lockOrganization(
  manager: EntityManager,
  organizationId: string,
): Promise<OrganizationEntity | null> {
  return manager
    .getRepository(OrganizationEntity)
    .createQueryBuilder("o")
    .setLock("pessimistic_write")
    .where("o.id = :organizationId", { organizationId })
    .getOne();
}
