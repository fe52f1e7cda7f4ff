import path from "node:path";
import type { DocumentNode, GraphQLSchema } from "graphql";

interface ContractNext {
  /** The sections of next.graphql whose issues are resolved. */
  readonly RESOLVED_PARTS: readonly string[];
  /** schema.graphql + those sections of next.graphql, as one schema. */
  coveredContract(parts?: readonly string[]): GraphQLSchema;
  /** The definitions of next.graphql (its text) that belong to `parts`. */
  selectNext(source: string, parts: readonly string[]): DocumentNode;
  /** Every way `emittedSdl` falls short of the covered contract. */
  problemsOf(emittedSdl: string, parts?: readonly string[]): Promise<string[]>;
}

/**
 * The contract as `npm run check:contract:next` reads it (scripts/contract-next.js, plain
 * JavaScript outside the build), so the tests that demand a row or an entry for every operation
 * of the contract demand one for every resolved part of next.graphql too.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const contractNext: ContractNext = require(
  path.join(__dirname, "..", "..", "..", "scripts", "contract-next.js"),
);
