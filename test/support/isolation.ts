import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { fromGlobalId, toGlobalId, type NodeTypeName } from "../../src/graphql/global-id";
import type { Client, GraphQLResult } from "./client";

/**
 * Assertions for tenant isolation: an id the caller may not see must read exactly like an id that
 * does not exist, and never appear in the answer.
 */

export function randomId(type: NodeTypeName): string {
  return toGlobalId(type, randomUUID());
}

/** The payload of the one mutation a result holds. */
export function payloadOf(result: GraphQLResult): any {
  return Object.values(result.data ?? {})[0];
}

/** Neither the global id nor the row id behind it appears in `text`. */
export function assertNotMentioned(text: string, globalId: string): void {
  assert.ok(!text.includes(globalId), `response names ${globalId}: ${text}`);
  const uuid = fromGlobalId(globalId)?.uuid;
  if (uuid) assert.ok(!text.includes(uuid), `response names ${uuid}: ${text}`);
}

/**
 * `foreignId` in `input[field]` must read exactly like an unknown id of its type: the same
 * NOT_FOUND user error on the same field with the same message, no FORBIDDEN, no echo of the id.
 */
export async function assertReadsAsUnknown(
  client: Client,
  mutation: string,
  input: Record<string, unknown>,
  field: string,
  foreignId: string,
): Promise<void> {
  const type = fromGlobalId(foreignId)!.type;
  const foreign = await client.raw(mutation, { input: { ...input, [field]: foreignId } });
  const unknown = await client.raw(mutation, { input: { ...input, [field]: randomId(type) } });
  assert.equal(foreign.errors, undefined, foreign.text);
  assert.equal(unknown.errors, undefined, unknown.text);
  assert.deepEqual(payloadOf(foreign), payloadOf(unknown));
  assert.deepEqual(
    payloadOf(foreign).userErrors.map((e: any) => [e.code, e.field]),
    [["NOT_FOUND", ["input", field]]],
  );
  assertNotMentioned(foreign.text, foreignId);
}

/** What a mutation came to: "ok", its user error codes, or its GraphQL error code. */
export function outcomeOf(result: GraphQLResult): string {
  if (result.errors) return result.errors.map((e) => e.extensions?.code).join();
  return (
    payloadOf(result)
      .userErrors.map((e: any) => e.code)
      .join() || "ok"
  );
}

/**
 * The distinct `[code, "input.field"]` pairs, sorted, for comparing user errors (one field may
 * break several rules at once).
 */
export function codesAndFields(errors: { code: string; field: string[] | null }[]): string[][] {
  const pairs = new Set(errors.map((e) => `${e.code} ${e.field?.join(".") ?? ""}`));
  return [...pairs].sort().map((pair) => pair.split(" "));
}
