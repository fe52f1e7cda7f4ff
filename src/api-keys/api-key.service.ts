import type { EntityManager } from "typeorm";
import { EventType } from "../audit/event-kinds";
import {
  canSeeApiKey,
  canSeeProject,
  organizationRolesOf,
  requireGrantable,
} from "../auth/authorize";
import { normalizeRoles, type OrganizationRole } from "../auth/roles";
import type { ApiKeyPrincipal } from "../auth/principal";
import { inTransaction } from "../db/transaction";
import { connectionFor, type ConnectionArgs, type ConnectionShape } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { uuidOf } from "../graphql/global-id";
import { UserErrorCode, UserInputError } from "../graphql/user-error";
import { lockOrganization } from "../organizations/organization-lock";
import { OrganizationEntity } from "../organizations/organization.entity";
import { AccessListEntryEntity } from "./access-list-entry.entity";
import { ApiKeyProjectAssignmentEntity } from "./api-key-project-assignment.entity";
import { parseAccessListEntries } from "./access-list.service";
import { applyApiKeyFilter } from "./api-key-filter";
import { insertSecret } from "./api-key-secret.service";
import { creationFacts, updateFacts, type InsertedKey } from "./api-key-events";
import { ApiKeyEntity } from "./api-key.entity";
import type {
  AccessListEntryInput,
  ApiKeyFilter,
  CreateOrganizationApiKeyInput,
  DeleteOrganizationApiKeyInput,
  UpdateOrganizationApiKeyInput,
} from "./api-key.inputs";
import type {
  ApiKeyPayload,
  CreateApiKeyPayload,
  DeleteOrganizationApiKeyPayload,
} from "./api-key.payloads";
import { AccessListEntry, ApiKey, ApiKeyConnection, ProjectApiKeyAssignment } from "./api-key.type";
import { lockKey } from "./key-administration";
import { changedExpiry, expiryOfNewKey, type Expiry } from "./key-lifecycle";
import { generateKeyMaterial } from "./key-material";

export interface NewKey {
  organizationId: string;
  description: string;
  roles: OrganizationRole[];
  accessList: AccessListEntryInput[] | null | undefined;
  /** Where the access list sits in the mutation's input, for user errors. */
  accessListField: string[];
  /** As requested: omitted or null takes the organization's maximum lifetime, if any. */
  expiresAt: Date | null | undefined;
  /** The input field that names where the key is created, for the per-organization limit. */
  scopeField: string[];
}

/** Organization-level API keys: create, update, delete and read. */
export class ApiKeyService {
  constructor(
    private readonly secret: string,
    private readonly maxKeysPerOrganization: number,
  ) {}

  /** Guarded by `@hasOrgRole(anyOf: [ORG_OWNER])` on the organization. */
  async createOrganizationKey(
    ctx: RequestContext,
    input: CreateOrganizationApiKeyInput,
  ): Promise<CreateApiKeyPayload> {
    const organizationId = uuidOf(input.organizationId, "Organization")!;
    const roles = normalizeRoles(input.roles);
    requireGrantable(await organizationRolesOf(ctx, organizationId), roles);
    const { key, privateKey } = await inTransaction(ctx, async (manager) => {
      const created = await this.insertKey(manager, {
        organizationId,
        description: input.description,
        roles,
        accessList: input.accessList,
        accessListField: ["input", "accessList"],
        expiresAt: input.expiresAt,
        scopeField: ["input", "organizationId"],
      });
      await ctx.services.events.recordAll(manager, ctx, creationFacts(created));
      return created;
    });
    return { apiKey: ApiKey.from(key), privateKey, userErrors: [] };
  }

  /**
   * Inserts a key, its first secret and its access list inside the caller's transaction. The
   * organization row is locked first, so concurrent creations cannot overshoot the
   * per-organization limit, and the lifetime policy read is the one in force.
   */
  async insertKey(manager: EntityManager, newKey: NewKey): Promise<InsertedKey> {
    const entries = parseAccessListEntries(newKey.accessList ?? [], newKey.accessListField);
    const organization = await lockOrganization(manager, newKey.organizationId);
    // Read under the lock, so a concurrent settings change cannot slip between check and insert.
    // An absent list stays allowed: Atlas's flow creates a key, then adds its entries.
    if (newKey.accessList?.length === 0 && organization?.apiAccessListRequired) {
      throw UserInputError.of(
        UserErrorCode.INVALID_INPUT,
        newKey.accessListField,
        "accessList must have at least one entry: this organization requires an access list for API keys (leave accessList out to add entries later).",
      );
    }
    const expiresAt = requireExpiry(
      expiryOfNewKey(newKey.expiresAt, new Date(), organization?.maxApiKeyLifetimeDays ?? null),
    );
    const existing = await manager.countBy(ApiKeyEntity, { organizationId: newKey.organizationId });
    if (existing >= this.maxKeysPerOrganization) {
      throw UserInputError.of(
        UserErrorCode.LIMIT_EXCEEDED,
        newKey.scopeField,
        `An organization can have at most ${this.maxKeysPerOrganization} API keys; delete unused keys first.`,
      );
    }
    const { key, privateKey } = await this.insertWithUniquePublicKey(manager, newKey, expiresAt);
    if (entries.length > 0) {
      await manager.insert(
        AccessListEntryEntity,
        entries.map((entry) => ({ ...entry, apiKeyId: key.id })),
      );
    }
    return { key, privateKey, accessList: entries.map((entry) => entry.cidrBlock) };
  }

  /**
   * Guarded by `@hasOrgRole(anyOf: [ORG_OWNER])` on the key's organization. Omitted (or, but for
   * expiresAt, null) fields stay as they are; `expiresAt: null` means never.
   */
  async updateOrganizationKey(
    ctx: RequestContext,
    input: UpdateOrganizationApiKeyInput,
  ): Promise<ApiKeyPayload> {
    const apiKeyId = uuidOf(input.apiKeyId, "ApiKey")!;
    const given = <T>(value: T | null | undefined): value is T =>
      value !== undefined && value !== null;
    const changesExpiry = input.expiresAt !== undefined;
    if (
      !given(input.description) &&
      !given(input.roles) &&
      !given(input.enabled) &&
      !changesExpiry
    ) {
      throw UserInputError.of(
        UserErrorCode.INVALID_INPUT,
        ["input"],
        "Give at least one of description, roles, enabled or expiresAt.",
      );
    }
    const current = (await ctx.loaders.apiKey.load(apiKeyId))!;
    const changes: Partial<ApiKeyEntity> = {};
    if (given(input.description)) changes.description = input.description;
    if (given(input.enabled)) changes.enabled = input.enabled;
    if (given(input.roles)) {
      changes.roles = normalizeRoles(input.roles);
      requireGrantable(await organizationRolesOf(ctx, current.organizationId), changes.roles);
    }
    const now = new Date();
    const key = await inTransaction(ctx, async (manager) => {
      const locked = await lockKey(manager, apiKeyId);
      if (changesExpiry) {
        const organization = await manager.findOneByOrFail(OrganizationEntity, {
          id: locked.organizationId,
        });
        changes.expiresAt = requireExpiry(
          changedExpiry(input.expiresAt ?? null, now, organization?.maxApiKeyLifetimeDays ?? null),
        );
      }
      await manager.update(ApiKeyEntity, { id: apiKeyId }, changes);
      await ctx.services.events.recordAll(manager, ctx, updateFacts(locked, changes));
      return manager.findOneByOrFail(ApiKeyEntity, { id: apiKeyId });
    });
    await ctx.services.keyChanges.keyChanged(apiKeyId);
    return { apiKey: ApiKey.from(key), userErrors: [] };
  }

  /** Guarded by `@hasOrgRole(anyOf: [ORG_OWNER])`; assignments and access list go with the key. */
  async deleteOrganizationKey(
    ctx: RequestContext,
    input: DeleteOrganizationApiKeyInput,
  ): Promise<DeleteOrganizationApiKeyPayload> {
    const apiKeyId = uuidOf(input.apiKeyId, "ApiKey")!;
    await inTransaction(ctx, async (manager) => {
      const locked = await lockKey(manager, apiKeyId);
      const assignments = await manager.findBy(ApiKeyProjectAssignmentEntity, { apiKeyId });
      // Recorded before the delete: the key's row still names it (and a key deleting itself).
      await ctx.services.events.recordAll(manager, ctx, [
        { type: EventType.API_KEY_DELETED, organizationId: locked.organizationId, apiKey: locked },
        ...assignments.map((assignment) => ({
          type: EventType.API_KEY_REMOVED_FROM_GROUP,
          organizationId: locked.organizationId,
          projectId: assignment.projectId,
          apiKey: locked,
        })),
      ]);
      await manager.delete(ApiKeyEntity, { id: apiKeyId });
    });
    await ctx.services.keyChanges.keyChanged(apiKeyId);
    return { deletedApiKeyId: input.apiKeyId, userErrors: [] };
  }

  /** A key the caller may see, or null exactly as for an unknown id. */
  async findVisible(ctx: RequestContext, apiKeyId: string): Promise<ApiKey | null> {
    if (!(await canSeeApiKey(ctx, apiKeyId))) return null;
    const key = await ctx.loaders.apiKey.load(apiKeyId);
    return key ? ApiKey.from(key) : null;
  }

  /**
   * The calling key itself (`viewer`), from what authentication verified for this request: a
   * query changes nothing, so that is what its loader would answer too, with no loader made. Not
   * a promise: graphql-js completes a plain value without a microtask turn.
   */
  own(principal: ApiKeyPrincipal): ApiKey {
    return ApiKey.ofVerified(principal.key, principal.usedAt);
  }

  async load(ctx: RequestContext, apiKeyId: string): Promise<ApiKey> {
    const key = await ctx.loaders.apiKey.load(apiKeyId);
    if (!key) throw new Error(`API key ${apiKeyId} vanished while being read`);
    return ApiKey.from(key);
  }

  /** The key's assignments to the projects the caller can see. */
  async projectAssignments(ctx: RequestContext, key: ApiKey): Promise<ProjectApiKeyAssignment[]> {
    const assignments = await ctx.loaders.apiKeyAssignments.load(key.uuid);
    const visible = await Promise.all(
      assignments.map((assignment) => canSeeProject(ctx, assignment.projectId)),
    );
    return assignments
      .filter((_, index) => visible[index])
      .map((assignment) => ProjectApiKeyAssignment.from(assignment));
  }

  async accessList(ctx: RequestContext, key: ApiKey): Promise<AccessListEntry[]> {
    const entries = await ctx.loaders.accessList.load(key.uuid);
    return entries.map((entry) => AccessListEntry.from(entry));
  }

  /** Guarded by `@hasOrgRole(anyOf: [ORG_OWNER])` on the organization. */
  async listForOrganization(
    ctx: RequestContext,
    organizationId: string,
    args: ConnectionArgs,
    filter: ApiKeyFilter | null | undefined,
  ): Promise<ConnectionShape<ApiKey>> {
    const query = applyApiKeyFilter(
      ctx.db
        .getRepository(ApiKeyEntity)
        .createQueryBuilder("k")
        .where("k.organization_id = :organizationId", { organizationId }),
      "k",
      filter,
    );
    return connectionFor(
      ApiKeyConnection,
      query,
      {
        createdAt: "k.created_at",
        id: "k.id",
        position: (row) => ({ createdAt: row.createdAt, id: row.id }),
      },
      args,
      (key) => {
        ctx.loaders.apiKey.prime(key.id, key);
        return ApiKey.from(key);
      },
    );
  }

  /** Retries the rare collision of random public keys; ON CONFLICT keeps the transaction usable. */
  private async insertWithUniquePublicKey(
    manager: EntityManager,
    newKey: NewKey,
    expiresAt: Date | null,
  ): Promise<{ key: ApiKeyEntity; privateKey: string }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const material = generateKeyMaterial(this.secret);
      const result = await manager
        .createQueryBuilder()
        .insert()
        .into(ApiKeyEntity)
        .values({
          organizationId: newKey.organizationId,
          publicKey: material.publicKey,
          description: newKey.description,
          roles: newKey.roles,
          expiresAt,
        })
        .orIgnore()
        .returning("*")
        .execute();
      const row = result.raw[0] as Record<string, unknown> | undefined;
      if (row) {
        await insertSecret(manager, row.id as string, material);
        const key = await manager.findOneByOrFail(ApiKeyEntity, { id: row.id as string });
        return { key, privateKey: material.privateKey };
      }
    }
    throw new Error("Could not find a free public key after 5 attempts");
  }
}

function requireExpiry(expiry: Expiry): Date | null {
  if (!expiry.ok) {
    throw UserInputError.of(UserErrorCode.INVALID_INPUT, ["input", "expiresAt"], expiry.message);
  }
  return expiry.expiresAt;
}
