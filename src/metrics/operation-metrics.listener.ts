import type { GraphQLRequestListener } from "@apollo/server";
import type { Metrics, OperationSeries } from "./metrics";

/**
 * Where a request's operation is named for its metrics. It is the HTTP request itself, which
 * records its duration and status when the response has gone, so the figures include
 * authentication and response writing, and a request refused before GraphQL is counted too.
 */
export interface OperationSlot {
  graphqlOperation: OperationSeries | null;
}

/**
 * Names each request's operation from the parsed document once Apollo has resolved it (type and
 * name, never variables). One listener object serves every request (`requestListenersPlugin`):
 * nothing is allocated per request beyond what Apollo does anyway.
 */
export function operationMetricsListener<Context extends { readonly operationSlot: OperationSlot }>(
  metrics: Metrics,
): GraphQLRequestListener<Context> {
  return {
    async didResolveOperation({ contextValue, operation, operationName }) {
      // Apollo has refused a document without the operation asked for before this hook.
      if (!operation) return;
      contextValue.operationSlot.graphqlOperation = metrics.operation(
        operation.operation,
        operationName,
      );
    },
  };
}
