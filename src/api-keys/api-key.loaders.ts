import DataLoader from "dataloader";
import { In, type EntityManager } from "typeorm";
import { byIdLoader } from "../graphql/entity.loaders";
import { AccessListEntryEntity } from "./access-list-entry.entity";
import { ApiKeyProjectAssignmentEntity } from "./api-key-project-assignment.entity";
import { ApiKeySecretEntity } from "./api-key-secret.entity";
import { ApiKeyEntity } from "./api-key.entity";

export interface ApiKeyLoaders {
  readonly apiKey: DataLoader<string, ApiKeyEntity | null>;
  /** A key's project assignments, oldest first. */
  readonly apiKeyAssignments: DataLoader<string, ApiKeyProjectAssignmentEntity[]>;
  /** A key's access list, oldest first. */
  readonly accessList: DataLoader<string, AccessListEntryEntity[]>;
  /** A key's secret rows, newest first, ended ones included (callers judge liveness). */
  readonly apiKeySecrets: DataLoader<string, ApiKeySecretEntity[]>;
  readonly apiKeySecret: DataLoader<string, ApiKeySecretEntity | null>;
}

function groupedByKey<Row extends { apiKeyId: string }>(
  db: EntityManager,
  target:
    typeof ApiKeyProjectAssignmentEntity | typeof AccessListEntryEntity | typeof ApiKeySecretEntity,
  order: Record<string, "ASC" | "DESC"> = { createdAt: "ASC" },
): DataLoader<string, Row[]> {
  return new DataLoader(async (apiKeyIds) => {
    const rows = (await db.getRepository(target).find({
      where: { apiKeyId: In([...apiKeyIds]) },
      order,
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
    apiKeySecrets: groupedByKey<ApiKeySecretEntity>(db, ApiKeySecretEntity, {
      createdAt: "DESC",
      id: "DESC",
    }),
    apiKeySecret: byIdLoader(db, ApiKeySecretEntity),
  };
}
