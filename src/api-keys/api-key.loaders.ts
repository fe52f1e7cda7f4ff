import DataLoader from "dataloader";
import { In, type EntityManager } from "typeorm";
import { byIdLoader } from "../graphql/entity.loaders";
import { AccessListEntryEntity } from "./access-list-entry.entity";
import { ApiKeyProjectAssignmentEntity } from "./api-key-project-assignment.entity";
import { ApiKeyEntity } from "./api-key.entity";

export interface ApiKeyLoaders {
  readonly apiKey: DataLoader<string, ApiKeyEntity | null>;
  /** A key's project assignments, oldest first. */
  readonly apiKeyAssignments: DataLoader<string, ApiKeyProjectAssignmentEntity[]>;
  /** A key's access list, oldest first. */
  readonly accessList: DataLoader<string, AccessListEntryEntity[]>;
}

function groupedByKey<Row extends { apiKeyId: string }>(
  db: EntityManager,
  target: typeof ApiKeyProjectAssignmentEntity | typeof AccessListEntryEntity,
): DataLoader<string, Row[]> {
  return new DataLoader(async (apiKeyIds) => {
    const rows = (await db.getRepository(target).find({
      where: { apiKeyId: In([...apiKeyIds]) },
      order: { createdAt: "ASC" },
    })) as unknown as Row[];
    const grouped = new Map<string, Row[]>(apiKeyIds.map((id) => [id, []]));
    for (const row of rows) grouped.get(row.apiKeyId)!.push(row);
    return apiKeyIds.map((id) => grouped.get(id)!);
  });
}

export function createApiKeyLoaders(db: EntityManager): ApiKeyLoaders {
  return {
    apiKey: byIdLoader(db, ApiKeyEntity),
    apiKeyAssignments: groupedByKey<ApiKeyProjectAssignmentEntity>(
      db,
      ApiKeyProjectAssignmentEntity,
    ),
    accessList: groupedByKey<AccessListEntryEntity>(db, AccessListEntryEntity),
  };
}
