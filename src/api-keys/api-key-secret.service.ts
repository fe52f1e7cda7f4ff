import type { EntityManager } from "typeorm";
import { EventType } from "../audit/event-kinds";
import { canSeeApiKey } from "../auth/authorize";
import { inTransaction } from "../db/transaction";
import type { RequestContext } from "../graphql/context";
import { uuidOf } from "../graphql/global-id";
import { notFound, UserErrorCode, UserInputError } from "../graphql/user-error";
import { ApiKeySecretEntity } from "./api-key-secret.entity";
import type { RevokeApiKeySecretInput, RotateApiKeySecretInput } from "./api-key-secret.inputs";
import { ApiKeySecret } from "./api-key-secret.type";
import type { ApiKeyPayload, RotateApiKeySecretPayload } from "./api-key.payloads";
import { ApiKey } from "./api-key.type";
import { administeredKeyId, lockKey } from "./key-administration";
import { endOfGrace, isLiveSecret, MAX_LIVE_SECRETS } from "./key-lifecycle";
import { generateSecretMaterial, redactPrivateKey, type SecretMaterial } from "./key-material";

/**
 * A key's secrets (its private keys): rotation with a grace period, revocation, and reading them.
 * Both mutations need a key administrator (`requireKeyAdministrator`, the access-list rule) and
 * lock the key row, so concurrent ones run one after another and never leave a key without a
 * live secret. The public key, roles, assignments and access list never change here.
 */
export class ApiKeySecretService {
  constructor(private readonly serverSecret: string) {}

  /**
   * A new secret, returned once; every other live secret ends after the grace period (never past
   * the key's expiry, never later than it was already due to end). Secrets that have ended are
   * deleted on the way, so a key keeps only the rows that can still matter.
   */
  async rotate(
    ctx: RequestContext,
    input: RotateApiKeySecretInput,
  ): Promise<RotateApiKeySecretPayload> {
    const apiKeyId = await administeredKeyId(ctx, input.apiKeyId);
    const material = generateSecretMaterial(this.serverSecret);
    const key = await inTransaction(ctx, async (manager) => {
      const locked = await lockKey(manager, apiKeyId);
      // Read once the lock is held: a rotation that waited for another acts after it.
      const now = new Date();
      const live = (await manager.findBy(ApiKeySecretEntity, { apiKeyId })).filter((secret) =>
        isLiveSecret(secret, now.getTime()),
      );
      if (live.length >= MAX_LIVE_SECRETS) {
        throw UserInputError.of(
          UserErrorCode.LIMIT_EXCEEDED,
          ["input", "apiKeyId"],
          `A key holds at most ${MAX_LIVE_SECRETS} live secrets; revoke the ones no client uses (revokeApiKeySecret) first.`,
        );
      }
      const ends = endOfGrace(now, input.gracePeriodSeconds ?? 0, locked.expiresAt);
      // LEAST ignores NULL: a secret that lived as long as the key now ends with the grace.
      await manager.query(
        `UPDATE api_key_secrets SET expires_at = LEAST(expires_at, $2)
          WHERE api_key_id = $1 AND (expires_at IS NULL OR expires_at > $3)`,
        [apiKeyId, ends, now],
      );
      await manager.query(
        `DELETE FROM api_key_secrets WHERE api_key_id = $1 AND expires_at <= $2`,
        [apiKeyId, now],
      );
      await insertSecret(manager, apiKeyId, material);
      await ctx.services.events.record(manager, ctx, {
        type: EventType.API_KEY_SECRET_ROTATED,
        organizationId: locked.organizationId,
        apiKey: locked,
      });
      return locked;
    });
    await ctx.services.keyChanges.keyChanged(apiKeyId);
    return { apiKey: ApiKey.from(key), privateKey: material.privateKey, userErrors: [] };
  }

  /** Ends one live secret at once; the key's last live secret cannot be ended (rotate first). */
  async revoke(ctx: RequestContext, input: RevokeApiKeySecretInput): Promise<ApiKeyPayload> {
    const apiKeyId = await administeredKeyId(ctx, input.apiKeyId);
    const secretId = uuidOf(input.secretId, "ApiKeySecret");
    if (!secretId) throw notFoundSecret();
    const key = await inTransaction(ctx, async (manager) => {
      const locked = await lockKey(manager, apiKeyId);
      const now = Date.now();
      const live = (await manager.findBy(ApiKeySecretEntity, { apiKeyId })).filter((secret) =>
        isLiveSecret(secret, now),
      );
      if (!live.some((secret) => secret.id === secretId)) throw notFoundSecret();
      if (live.length === 1) {
        throw UserInputError.of(
          UserErrorCode.LAST_SECRET,
          ["input", "secretId"],
          "This is the key's only live secret: a key cannot be left without one. Rotate first (rotateApiKeySecret), switch your clients, then revoke the old secret; or delete the key.",
        );
      }
      await manager.delete(ApiKeySecretEntity, { id: secretId, apiKeyId });
      await ctx.services.events.record(manager, ctx, {
        type: EventType.API_KEY_SECRET_REVOKED,
        organizationId: locked.organizationId,
        apiKey: locked,
      });
      return locked;
    });
    await ctx.services.keyChanges.keyChanged(apiKeyId);
    return { apiKey: ApiKey.from(key), userErrors: [] };
  }

  /** The key's live secrets, newest first. */
  async liveSecrets(ctx: RequestContext, key: ApiKey): Promise<ApiKeySecret[]> {
    const now = Date.now();
    const secrets = await ctx.loaders.apiKeySecrets.load(key.uuid);
    return secrets.filter((secret) => isLiveSecret(secret, now)).map(ApiKeySecret.from);
  }

  /**
   * The newest live secret, redacted. A key always holds at least one secret row (creation makes
   * one; rotation adds before it prunes; revocation keeps the last live one); should every one
   * have run out of grace after the newest was revoked, the newest remaining one is shown.
   */
  async privateKeyRedacted(ctx: RequestContext, key: ApiKey): Promise<string> {
    const now = Date.now();
    const secrets = await ctx.loaders.apiKeySecrets.load(key.uuid);
    const shown = secrets.find((secret) => isLiveSecret(secret, now)) ?? secrets[0];
    if (!shown) throw new Error(`API key ${key.uuid} has no secret`);
    return redactPrivateKey(shown.tail);
  }

  /** A live secret of a key the caller may see, or null exactly as for an unknown id. */
  async findVisible(ctx: RequestContext, secretId: string): Promise<ApiKeySecret | null> {
    const secret = await ctx.loaders.apiKeySecret.load(secretId);
    if (!secret || !isLiveSecret(secret, Date.now())) return null;
    if (!(await canSeeApiKey(ctx, secret.apiKeyId))) return null;
    return ApiKeySecret.from(secret);
  }
}

/** Stores a new secret of a key, inside the caller's transaction (creation or rotation). */
export async function insertSecret(
  manager: EntityManager,
  apiKeyId: string,
  material: SecretMaterial,
): Promise<void> {
  await manager.insert(ApiKeySecretEntity, {
    apiKeyId,
    digest: material.digest,
    tail: material.tail,
    // Not now(), the transaction's start: a rotation that waited on the key's lock must still
    // come out newer than the one it waited for ("newest first" is by created_at).
    createdAt: () => "clock_timestamp()",
  });
}

function notFoundSecret(): UserInputError {
  return notFound(["input", "secretId"], "API key secret");
}
