import type { EntityManager } from "typeorm";
import { requireKeyAdministrator } from "../auth/authorize";
import { orNotFound } from "../auth/directives";
import type { RequestContext } from "../graphql/context";
import { uuidOf } from "../graphql/global-id";
import { notFound } from "../graphql/user-error";
import { ApiKeyEntity } from "./api-key.entity";

/**
 * The key named by `input.apiKeyId` of an access-list or secret mutation, once the caller is
 * known to administer it (`requireKeyAdministrator`); an unknown key and one the caller may not
 * see are the same NOT_FOUND user error.
 */
export async function administeredKeyId(
  ctx: RequestContext,
  apiKeyGlobalId: string,
): Promise<string> {
  const apiKeyId = uuidOf(apiKeyGlobalId, "ApiKey");
  if (!apiKeyId) throw notFound(["input", "apiKeyId"], "API key");
  await orNotFound(["input", "apiKeyId"], "API key", () => requireKeyAdministrator(ctx, apiKeyId));
  return apiKeyId;
}

/**
 * Locks a key's row until the transaction ends, so changes to its access list or secrets run one
 * after another (the entry limit, duplicates and "never the last secret" cannot be raced).
 */
export async function lockKey(manager: EntityManager, apiKeyId: string): Promise<ApiKeyEntity> {
  const key = await manager
    .getRepository(ApiKeyEntity)
    .createQueryBuilder("k")
    .setLock("pessimistic_write")
    .where("k.id = :apiKeyId", { apiKeyId })
    .getOne();
  if (!key) throw notFound(["input", "apiKeyId"], "API key");
  return key;
}
