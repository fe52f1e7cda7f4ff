import type { GraphQLRequestListener } from "@apollo/server";
import {
  GraphQLError,
  Kind,
  TypeInfo,
  coerceInputValue,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isRequiredInputField,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import type { RequestContext } from "./context";

/**
 * What a caller is told about a value that does not fit its type: where it is, what was expected
 * and what kind of thing came instead, all taken from the schema and the value's shape. graphql-js
 * quotes the value itself (`Value "…" does not exist in "OrganizationRole" enum`), and a password
 * or key could be that value, so no message of graphql-js about a value reaches the caller.
 */

/** Problems reported per request; the rest are counted, not described. */
export const MAX_REPORTED_VALUE_PROBLEMS = 5;

const BUILT_IN_SCALARS: Record<string, string> = {
  Int: "a 32-bit signed integer",
  Float: "a finite number",
  String: "a string",
  Boolean: "true or false",
  ID: "a string or an integer",
};

/** The shape of a value, never its content. */
interface Shape {
  kind: "null" | "string" | "integer" | "number" | "boolean" | "list" | "object" | "enum value";
  /** For an object: the names of the fields it has. */
  fields?: string[];
}

const KIND_PHRASES: Record<Shape["kind"], string> = {
  null: "null",
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
  list: "a list",
  object: "an object",
  "enum value": "an enum value that it does not have",
};

function shapeOfValue(value: unknown): Shape {
  if (value === null || value === undefined) return { kind: "null" };
  if (Array.isArray(value)) return { kind: "list" };
  switch (typeof value) {
    case "string":
      return { kind: "string" };
    case "number":
      return { kind: Number.isInteger(value) ? "integer" : "number" };
    case "boolean":
      return { kind: "boolean" };
    default:
      return { kind: "object", fields: Object.keys(value as object) };
  }
}

function shapeOfLiteral(node: ASTNode): Shape {
  switch (node.kind) {
    case Kind.NULL:
      return { kind: "null" };
    case Kind.LIST:
      return { kind: "list" };
    case Kind.OBJECT:
      return { kind: "object", fields: node.fields.map((field) => field.name.value) };
    case Kind.STRING:
      return { kind: "string" };
    case Kind.INT:
      return { kind: "integer" };
    case Kind.FLOAT:
      return { kind: "number" };
    case Kind.BOOLEAN:
      return { kind: "boolean" };
    default:
      return { kind: "enum value" };
  }
}

function expectation(type: GraphQLInputType): string {
  const nullable = getNullableType(type);
  if (isEnumType(nullable)) return `one of the values of enum "${nullable.name}"`;
  if (isInputObjectType(nullable)) return `an object of type "${nullable.name}"`;
  if (isListType(nullable)) return `a list of "${nullable.ofType}"`;
  const scalar = BUILT_IN_SCALARS[nullable.name];
  return scalar ? `${scalar} ("${nullable.name}")` : `a value of type "${nullable.name}"`;
}

/** Why a value of this shape cannot be a `type`. */
export function describeProblem(type: GraphQLInputType, shape: Shape): string {
  let expected = type;
  // A value that is not a list stands for a list of one (GraphQL's input coercion).
  while (shape.kind !== "list" && shape.kind !== "null" && isListType(getNullableType(expected))) {
    const list = getNullableType(expected) as { ofType: GraphQLInputType };
    expected = list.ofType;
  }
  const named = getNullableType(expected);
  if (shape.kind === "object" && isInputObjectType(named)) {
    const given = new Set(shape.fields);
    const fields = named.getFields();
    const missing = Object.values(fields)
      .filter((field) => isRequiredInputField(field) && !given.has(field.name))
      .map((field) => `"${field.name}"`);
    const unknown = [...given].filter((name) => !Object.hasOwn(fields, name)).length;
    const problems = [
      missing.length > 0 && `needs the field${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
      unknown > 0 &&
        `has ${unknown === 1 ? "a field" : `${unknown} fields`} that it does not define`,
    ].filter(Boolean);
    if (problems.length > 0) return `"${named.name}" ${problems.join(" and ")}`;
  }
  return `expected ${expectation(expected)}, got ${KIND_PHRASES[shape.kind]}`;
}

/** Raised by the first problem past the reporting limit, to stop coercing a huge value. */
class TooManyProblems extends Error {}

/**
 * Checks the request's variables against the operation's definitions, as graphql-js's execution
 * would (`coerceInputValue`, with suggestions off), and returns one BAD_USER_INPUT error (HTTP
 * 400) describing up to `MAX_REPORTED_VALUE_PROBLEMS` problems, or null. Checking stops at the
 * first problem past the limit, so a list of thousands of bad items costs little.
 */
export function invalidVariablesError(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> = {},
): GraphQLError | null {
  const problems: string[] = [];
  let more = false;
  const report = (problem: string) => {
    if (problems.includes(problem)) return;
    if (problems.length === MAX_REPORTED_VALUE_PROBLEMS) {
      more = true;
      throw new TooManyProblems();
    }
    problems.push(problem);
  };
  try {
    for (const definition of operation.variableDefinitions ?? []) {
      const name = definition.variable.name.value;
      const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
      // Validation has already refused unknown and non-input types.
      if (!type) continue;
      if (!Object.hasOwn(variables, name)) {
        if (!definition.defaultValue && isNonNullType(type)) {
          report(`Variable "$${name}" of required type "${type}" was not provided`);
        }
        continue;
      }
      const value = variables[name];
      if (value === null && isNonNullType(type)) {
        report(`Variable "$${name}" of non-null type "${type}" must not be null`);
        continue;
      }
      coerceInputValue(
        value,
        type,
        (path, invalid) => {
          const at = path.length > 0 ? ` at "${name}${printPath(path)}"` : "";
          const typeAtPath = typeAt(type, path, value) ?? type;
          report(
            `Variable "$${name}" got an invalid value${at}: ${describeProblem(typeAtPath, shapeOfValue(invalid))}`,
          );
        },
        true,
      );
    }
  } catch (error) {
    if (!(error instanceof TooManyProblems)) throw error;
  }
  if (problems.length === 0) return null;
  const message = problems.join("; ") + (more ? "; and more problems not listed." : ".");
  return new GraphQLError(message, {
    extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
  });
}

function printPath(path: readonly (string | number)[]): string {
  return path
    .map((segment) => (typeof segment === "number" ? `[${segment}]` : `.${segment}`))
    .join("");
}

/** The input type at `path` inside a value of `type`, following the value's own lists. */
function typeAt(
  type: GraphQLInputType,
  path: readonly (string | number)[],
  value: unknown,
): GraphQLInputType | undefined {
  let current: GraphQLInputType = type;
  let here: unknown = value;
  for (const segment of path) {
    let nullable = getNullableType(current);
    // A non-list value for a list type is coerced as its only item, without a path segment.
    while (isListType(nullable) && !Array.isArray(here)) {
      current = nullable.ofType;
      nullable = getNullableType(current);
    }
    if (typeof segment === "number" && isListType(nullable)) {
      current = nullable.ofType;
    } else if (typeof segment === "string" && isInputObjectType(nullable)) {
      const field = nullable.getFields()[segment];
      if (!field) return undefined;
      current = field.type;
    } else {
      return undefined;
    }
    here = (here as Record<string | number, unknown> | null)?.[segment];
  }
  return current;
}

const VALUE_KINDS = new Set<string>([
  Kind.NULL,
  Kind.LIST,
  Kind.OBJECT,
  Kind.STRING,
  Kind.INT,
  Kind.FLOAT,
  Kind.BOOLEAN,
  Kind.ENUM,
  Kind.OBJECT_FIELD,
]);

/**
 * Rewrites, in place, the message of every validation error about a literal value in the
 * document (graphql-js's ValuesOfCorrectTypeRule quotes it) from the type expected there and the
 * literal's shape. Apollo's own suggestion remover edits messages in the same hook.
 */
export function rewriteLiteralValueErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  errors: readonly Error[],
): void {
  const targets = new Map<ASTNode, GraphQLError>();
  for (const error of errors) {
    const node = error instanceof GraphQLError ? error.nodes?.[0] : undefined;
    if (node && VALUE_KINDS.has(node.kind)) targets.set(node, error as GraphQLError);
  }
  if (targets.size === 0) return;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      enter(node) {
        const error = targets.get(node);
        if (!error) return;
        const where = error.locations?.[0];
        const at = where ? ` at line ${where.line}, column ${where.column}` : "";
        if (node.kind === Kind.OBJECT_FIELD) {
          const parent = typeInfo.getParentInputType();
          const name = parent ? `"${getNullableType(parent)}"` : "its input type";
          error.message = `The field${at} is not defined by ${name}.`;
          return;
        }
        const type = typeInfo.getInputType();
        error.message = type
          ? `Invalid value${at}: ${describeProblem(type, shapeOfLiteral(node))}.`
          : `Invalid value${at}.`;
      },
    }),
  );
}

/** graphql-js's "Did you mean …?" at the end of a validation message: it names schema members. */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

/**
 * Applies `rewriteLiteralValueErrors` to validation errors and drops graphql-js's suggestions
 * from the rest (what Apollo's `hideSchemaDetailsFromClientErrors` does, with a plugin that
 * would cost every request a listener; this runs only when a document is validated).
 */
export function validationMessagesListener(): GraphQLRequestListener<RequestContext> {
  return {
    async validationDidStart({ schema, document }) {
      return async (errors) => {
        if (!errors) return;
        rewriteLiteralValueErrors(schema, document, errors);
        for (const error of errors) error.message = error.message.replace(SUGGESTION, "");
      };
    },
  };
}
