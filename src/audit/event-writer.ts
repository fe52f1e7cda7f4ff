import type { EntityManager } from "typeorm";
import type { RequestContext } from "../graphql/context";
import { EventIds } from "./event-id";
import type { EventType } from "./event-kinds";

/** What a mutation states about one change; the writer adds who, from where and when. */
export interface EventFact {
  type: EventType;
  organizationId: string;
  /** The project the change was made in (assignments, project members, createProjectApiKey). */
  projectId?: string | null;
  /**
   * The key changed: its id and public key (the label kept after the key is deleted); a public
   * key left out is read from the key's row in the same statement.
   */
  apiKey?: { readonly id: string; readonly publicKey?: string } | null;
  /** The member changed. */
  userId?: string | null;
  /** Roles after the change, for role events. */
  roles?: readonly string[] | null;
  /** The access-list entry (CIDR block) for access-list events. */
  accessListEntry?: string | null;
}

/** What the writer reads from the request: the actor and the client address. */
export type EventSource = Pick<RequestContext, "principal" | "clientAddress">;

/**
 * The one seam through which the audit trail is written. A mutation states its facts in one line
 * inside its transaction, `await ctx.services.events.record(manager, ctx, {...})`; the writer
 * adds the actor (the signed-in user or the API key, and its email or public key) and the client
 * address as the access-list check sees it, and writes every fact of the call in ONE INSERT on
 * the transaction's `manager`, so a rolled-back change leaves no event and a committed change
 * never lacks one. Nothing secret goes in: facts carry ids, public keys, roles and CIDR blocks.
 */
export class EventWriter {
  private readonly ids = new EventIds();

  record(manager: EntityManager, source: EventSource, fact: EventFact): Promise<void> {
    return this.recordAll(manager, source, [fact]);
  }

  /** Writes the facts in order (newest first reads them backwards); none is a no-op. */
  async recordAll(
    manager: EntityManager,
    source: EventSource,
    facts: readonly EventFact[],
  ): Promise<void> {
    if (facts.length === 0) return;
    const principal = source.principal;
    if (principal.kind === "anonymous") {
      throw new Error("An anonymous request cannot change anything, so it records no event");
    }
    const actorUserId = principal.kind === "user" ? principal.userId : null;
    const actorApiKeyId = principal.kind === "apiKey" ? principal.apiKeyId : null;
    const knownLabel = principal.kind === "apiKey" ? principal.key.publicKey : null;
    const rows = facts.map((fact) => ({
      id: this.ids.next(),
      organization_id: fact.organizationId,
      project_id: fact.projectId ?? null,
      type: fact.type,
      target_api_key_id: fact.apiKey?.id ?? null,
      target_public_key: fact.apiKey?.publicKey ?? null,
      target_user_id: fact.userId ?? null,
      roles: fact.roles ? [...fact.roles] : null,
      access_list_entry: fact.accessListEntry ?? null,
    }));
    // One statement whatever the number of facts; the actor's label is read in the same
    // transaction (an API key's public key is already known from its authentication).
    await manager.query(
      `INSERT INTO events (id, organization_id, project_id, type, actor_user_id, actor_api_key_id,
                           actor_label, remote_address, target_api_key_id, target_public_key,
                           target_user_id, roles, access_list_entry)
       SELECT f.id, f.organization_id, f.project_id, f.type, $2::uuid, $3::uuid,
              COALESCE($4::text,
                       (SELECT email FROM users WHERE id = $2::uuid),
                       (SELECT public_key FROM api_keys WHERE id = $3::uuid)),
              $5::text, f.target_api_key_id,
              COALESCE(f.target_public_key,
                       (SELECT public_key FROM api_keys WHERE id = f.target_api_key_id)),
              f.target_user_id, f.roles,
              f.access_list_entry
         FROM jsonb_to_recordset($1::jsonb) AS f(
                id uuid, organization_id uuid, project_id uuid, type text, target_api_key_id uuid,
                target_public_key text, target_user_id uuid, roles text[], access_list_entry text)`,
      [JSON.stringify(rows), actorUserId, actorApiKeyId, knownLabel, source.clientAddress],
    );
  }
}
