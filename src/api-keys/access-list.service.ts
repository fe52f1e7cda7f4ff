import { In } from "typeorm";
import { EventType } from "../audit/event-kinds";
import { inTransaction, isUniqueViolation } from "../db/transaction";
import type { RequestContext } from "../graphql/context";
import { UserError, UserErrorCode, UserInputError } from "../graphql/user-error";
import { AccessListEntryEntity } from "./access-list-entry.entity";
import type {
  AccessListEntryInput,
  AddApiKeyAccessListEntriesInput,
  RemoveApiKeyAccessListEntryInput,
} from "./api-key.inputs";
import { MAX_ACCESS_LIST_ENTRIES } from "./api-key.inputs";
import type { ApiKeyPayload } from "./api-key.payloads";
import { ApiKey } from "./api-key.type";
import { blockContains, parseAccessListInput, parseListedEntry } from "./cidr";
import { administeredKeyId, lockKey } from "./key-administration";

export interface NewAccessListEntry {
  cidrBlock: string;
  isSingleAddress: boolean;
  comment: string | null;
}

/**
 * Parses a batch of entries, all-or-nothing: every malformed entry and every duplicate inside the
 * batch is reported at once, each on its own input path.
 */
export function parseAccessListEntries(
  inputs: readonly AccessListEntryInput[],
  field: string[],
): NewAccessListEntry[] {
  const errors: UserError[] = [];
  const entries: NewAccessListEntry[] = [];
  const seen = new Map<string, number>();
  inputs.forEach((input, index) => {
    const path = [...field, String(index)];
    const parsed = parseAccessListInput(input);
    if (!parsed.ok) {
      const message = parsed.field ? `${parsed.field} ${parsed.message}.` : parsed.message;
      errors.push(
        UserError.of(
          UserErrorCode.INVALID_ACCESS_LIST_ENTRY,
          parsed.field ? [...path, parsed.field] : path,
          message,
        ),
      );
      return;
    }
    const first = seen.get(parsed.cidrBlock);
    if (first !== undefined) {
      errors.push(
        UserError.of(
          UserErrorCode.DUPLICATE_ACCESS_LIST_ENTRY,
          path,
          `${parsed.cidrBlock} is already entry ${first} of this request.`,
        ),
      );
      return;
    }
    seen.set(parsed.cidrBlock, index);
    entries.push({
      cidrBlock: parsed.cidrBlock,
      isSingleAddress: parsed.isSingleAddress,
      comment: input.comment ?? null,
    });
  });
  if (errors.length > 0) throw new UserInputError(errors);
  return entries;
}

export class AccessListService {
  async add(ctx: RequestContext, input: AddApiKeyAccessListEntriesInput): Promise<ApiKeyPayload> {
    const apiKeyId = await administeredKeyId(ctx, input.apiKeyId);
    const entries = parseAccessListEntries(input.entries, ["input", "entries"]);
    const key = await inTransaction(ctx, async (manager) => {
      const locked = await lockKey(manager, apiKeyId);
      const existing = await manager.findBy(AccessListEntryEntity, {
        apiKeyId,
        cidrBlock: In(entries.map((entry) => entry.cidrBlock)),
      });
      if (existing.length > 0) {
        const listed = new Set(existing.map((entry) => entry.cidrBlock));
        const duplicates = entries.flatMap((entry, index) =>
          listed.has(entry.cidrBlock)
            ? [
                UserError.of(
                  UserErrorCode.DUPLICATE_ACCESS_LIST_ENTRY,
                  ["input", "entries", String(index)],
                  `${entry.cidrBlock} is already on this key's access list.`,
                ),
              ]
            : [],
        );
        // Postgres matched as `cidr`; should its text differ from ours, still never answer with no error.
        if (duplicates.length === 0) throw duplicateEntryError();
        throw new UserInputError(duplicates);
      }
      const count = await manager.countBy(AccessListEntryEntity, { apiKeyId });
      if (count + entries.length > MAX_ACCESS_LIST_ENTRIES) {
        throw UserInputError.of(
          UserErrorCode.LIMIT_EXCEEDED,
          ["input", "entries"],
          `A key's access list holds at most ${MAX_ACCESS_LIST_ENTRIES} entries; it has ${count}.`,
        );
      }
      try {
        await manager.insert(
          AccessListEntryEntity,
          entries.map((entry) => ({ ...entry, apiKeyId })),
        );
      } catch (error) {
        // Only reachable if the lock above were bypassed; the constraint still has the last word.
        if (isUniqueViolation(error, "api_key_access_list_entries_api_key_id_cidr_block_key")) {
          throw duplicateEntryError();
        }
        throw error;
      }
      await ctx.services.events.recordAll(
        manager,
        ctx,
        entries.map((entry) => ({
          type: EventType.API_KEY_ACCESS_LIST_ENTRY_ADDED,
          organizationId: locked.organizationId,
          apiKey: locked,
          accessListEntry: entry.cidrBlock,
        })),
      );
      return locked;
    });
    await ctx.services.keyChanges.keyChanged(apiKeyId);
    return { apiKey: ApiKey.from(key), userErrors: [] };
  }

  /**
   * Removes one entry, named as listed. A key may not remove the entry that admits its own
   * current request (when no other entry would), so it cannot lock itself out by mistake.
   */
  async remove(
    ctx: RequestContext,
    input: RemoveApiKeyAccessListEntryInput,
  ): Promise<ApiKeyPayload> {
    const apiKeyId = await administeredKeyId(ctx, input.apiKeyId);
    const cidrBlock = parseListedEntry(input.entry);
    if (!cidrBlock) {
      throw UserInputError.of(
        UserErrorCode.INVALID_ACCESS_LIST_ENTRY,
        ["input", "entry"],
        "entry is not an IP address or CIDR block as listed on the key.",
      );
    }
    const key = await inTransaction(ctx, async (manager) => {
      const locked = await lockKey(manager, apiKeyId);
      const entries = await manager.findBy(AccessListEntryEntity, { apiKeyId });
      const target = entries.find((entry) => entry.cidrBlock === cidrBlock);
      if (!target) {
        throw UserInputError.of(
          UserErrorCode.NOT_FOUND,
          ["input", "entry"],
          `${cidrBlock} is not on this key's access list.`,
        );
      }
      const isCaller = ctx.principal.kind === "apiKey" && ctx.principal.apiKeyId === apiKeyId;
      const admits = (entry: AccessListEntryEntity) =>
        blockContains(entry.cidrBlock, ctx.clientAddress);
      if (
        isCaller &&
        admits(target) &&
        !entries.some((entry) => entry !== target && admits(entry))
      ) {
        throw UserInputError.of(
          UserErrorCode.CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST,
          ["input", "entry"],
          `${cidrBlock} admits this very request from ${ctx.clientAddress}; removing it would lock this key out. Use another key or a signed-in user.`,
        );
      }
      await manager.delete(AccessListEntryEntity, { id: target.id });
      await ctx.services.events.record(manager, ctx, {
        type: EventType.API_KEY_ACCESS_LIST_ENTRY_DELETED,
        organizationId: locked.organizationId,
        apiKey: locked,
        accessListEntry: target.cidrBlock,
      });
      return locked;
    });
    await ctx.services.keyChanges.keyChanged(apiKeyId);
    return { apiKey: ApiKey.from(key), userErrors: [] };
  }
}

function duplicateEntryError(): UserInputError {
  return UserInputError.of(
    UserErrorCode.DUPLICATE_ACCESS_LIST_ENTRY,
    ["input", "entries"],
    "An entry is already on this key's access list.",
  );
}
