import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GraphQLError, parse, type OperationDefinitionNode } from "graphql";
import { maskError } from "./error-mask";

const SECRET = "kfs_secret-value";

describe("maskError", () => {
  it("rebuilds a graphql-js message about a variable's value from the variable's definition", () => {
    const operation = parse("query ($input: KeyInput!) { a }")
      .definitions[0] as OperationDefinitionNode;
    const error = new GraphQLError(
      `Variable "$input" got invalid value "${SECRET}"; Value "${SECRET}" does not exist in "Role" enum.`,
      { nodes: operation.variableDefinitions![0], extensions: { code: "BAD_USER_INPUT" } },
    );
    const masked = maskError(
      { message: error.message, extensions: { code: "BAD_USER_INPUT" } },
      error,
    );
    assert.deepEqual(masked, {
      message: 'Variable "$input" got an invalid value for type "KeyInput!".',
      extensions: { code: "BAD_USER_INPUT" },
    });
  });

  it("keeps other public errors as they are and hides everything else", () => {
    const known = {
      message: '"first" must be between 1 and 100.',
      extensions: { code: "BAD_USER_INPUT" },
    };
    assert.deepEqual(maskError(known, new GraphQLError(known.message)), known);
    assert.deepEqual(maskError({ message: `relation "x" ${SECRET}`, path: ["a"] }, new Error()), {
      message: "Internal server error",
      path: ["a"],
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    });
  });
});
