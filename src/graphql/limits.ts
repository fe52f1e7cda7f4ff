import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import type { GraphQLRequestListener } from "@apollo/server";
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  Kind,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import { getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import type { RequestContext } from "./context";
import { DEFAULT_PAGE_SIZE } from "./connection";
import { invalidVariablesError } from "./input-values";

/**
 * The limits every GraphQL document must respect, each refused with a 400 and a clear message.
 * Apollo answers validation failures with HTTP 400 and GRAPHQL_VALIDATION_FAILED.
 */
export const LIMITS = Object.freeze({
  maxDepth: 10,
  /** `__typename` counts too: an alias of it costs the server as much as any other. */
  maxAliases: 15,
  maxDirectives: 5,
  /** Apollo's parser limit; graphql-armor's own token plugin turns syntax errors into 500s. */
  maxTokens: 1_000,
  maxValidationErrors: 5,
  /** Weighted cost: a connection multiplies its selection by `first`. */
  maxCost: 25_000,
  maxBodyBytes: 100_000,
  /** Estimated length of lists that have no `first` (access lists, project assignments). */
  unpagedListEstimate: 10,
});

/** Mutations that check a password or create one: at most one per request, whatever the aliases. */
const CREDENTIAL_FIELDS = new Set(["logIn", "signUp"]);

function oneCredentialFieldPerOperation(context: ValidationContext) {
  let seen = 0;
  return {
    Field(node: { name: { value: string } }) {
      if (!CREDENTIAL_FIELDS.has(node.name.value)) return;
      seen += 1;
      if (seen === 2) {
        context.reportError(
          new GraphQLError("Only one logIn or signUp is allowed per request.", {
            extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
          }),
        );
      }
    },
  };
}

/**
 * graphql-armor's rules throw by default, which Apollo answers with a 500; reporting the
 * rejection through the validation context makes it an ordinary 400 validation error.
 */
const reportRejection = {
  propagateOnRejection: false,
  exposeLimits: true,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ""))),
  ],
};

export function validationRules(): ValidationRule[] {
  return [
    maxDepthRule({
      n: LIMITS.maxDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      ...reportRejection,
    }),
    // An empty allow-list: by default graphql-armor lets `__typename` aliases through.
    maxAliasesRule({ n: LIMITS.maxAliases, allowList: [], ...reportRejection }),
    maxDirectivesRule({ n: LIMITS.maxDirectives, ...reportRejection }),
    oneCredentialFieldPerOperation as unknown as ValidationRule,
  ];
}

/** Connections cost `first` times their selection; plain lists an estimated length. */
const connectionEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const returned = getNullableType(field.type);
  const named = getNamedType(field.type);
  // Introspection walks the schema, not data: its lists count once (GraphiQL's query: ~230).
  if (named.name.startsWith("__")) return 1 + childComplexity;
  if (isObjectType(named) && named.name.endsWith("Connection")) {
    const first = typeof args.first === "number" ? args.first : DEFAULT_PAGE_SIZE;
    return 1 + Math.max(first, 0) * childComplexity;
  }
  if (isListType(returned) && field.name !== "edges") {
    return 1 + LIMITS.unpagedListEstimate * childComplexity;
  }
  return undefined;
};

/** Costs already computed, per parsed document (Apollo reuses the object) and variables. */
const knownCosts = new WeakMap<DocumentNode, Map<string, number>>();

export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName?: string | null,
): number {
  const key = `${operationName ?? ""}\u0000${variables ? JSON.stringify(variables) : ""}`;
  let costs = knownCosts.get(document);
  const known = costs?.get(key);
  if (known !== undefined) return known;
  const cost = computeCost(schema, document, variables, operationName);
  if (!costs) knownCosts.set(document, (costs = new Map()));
  if (costs.size < 100) costs.set(key, cost);
  return cost;
}

function computeCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName?: string | null,
): number {
  return getComplexity({
    schema,
    query: document,
    variables,
    operationName: operationName ?? undefined,
    estimators: [connectionEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
}

/** Per parsed document (Apollo reuses the object for the same query text). */
const introspections = new WeakMap<DocumentNode, boolean>();

function isIntrospection(document: DocumentNode): boolean {
  let found = introspections.get(document);
  if (found !== undefined) return found;
  found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === "__schema" || node.name.value === "__type") found = true;
    },
  });
  introspections.set(document, found);
  return found;
}

function rejection(message: string, code: string, status: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

/**
 * Checks that need the request: the variables, the weighted cost (it depends on variables) and,
 * in production, introspection only for authenticated callers (GraphiQL sends its Authorization
 * header).
 */
export function requestLimitsListener(production: boolean): GraphQLRequestListener<RequestContext> {
  return {
    async didResolveOperation({
      schema,
      document,
      request,
      contextValue,
      operationName,
      operation,
    }) {
      if (production && contextValue.principal.kind === "anonymous" && isIntrospection(document)) {
        throw rejection(
          "Introspection needs an Authorization header in production.",
          "UNAUTHENTICATED",
          401,
        );
      }
      const hasOperation = document.definitions.some(
        (definition) => definition.kind === Kind.OPERATION_DEFINITION,
      );
      if (!hasOperation || !operation) return;
      // Before the cost: graphql-query-complexity coerces variables with no error limit, so a
      // list of thousands of bad values would cost seconds there.
      const invalid = invalidVariablesError(schema, operation, request.variables);
      if (invalid) throw invalid;
      let cost: number;
      try {
        // Without variable definitions the cost cannot depend on the variables: one cache entry.
        const variables = operation.variableDefinitions?.length ? request.variables : undefined;
        cost = queryCost(schema, document, variables, operationName);
      } catch {
        // Should the cost estimator still fail on the variables, execution reports them.
        return;
      }
      if (cost > LIMITS.maxCost) {
        throw rejection(
          `Query cost ${cost} exceeds the limit of ${LIMITS.maxCost}; ask for smaller pages (lower "first") or fewer nested lists.`,
          "GRAPHQL_VALIDATION_FAILED",
          400,
        );
      }
    },
  };
}
