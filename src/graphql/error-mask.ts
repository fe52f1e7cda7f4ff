import { GraphQLError, Kind, print, type GraphQLFormattedError } from "graphql";
import { isConnectionFailure } from "../db/connection-failure";
import { PUBLIC_ERROR_CODES } from "./errors";
import { serviceUnavailableError } from "./service-unavailable";

/**
 * A net under src/graphql/input-values.ts, which checks variables before graphql-js does: should
 * graphql-js still report a variable's value (its message quotes the value, and a password or a
 * key could be that value), the message is rebuilt from the variable's definition alone.
 */
function withoutEchoedValue(formatted: GraphQLFormattedError, error: unknown): string {
  const node = error instanceof GraphQLError ? error.nodes?.[0] : undefined;
  if (formatted.extensions?.code !== "BAD_USER_INPUT" || node?.kind !== Kind.VARIABLE_DEFINITION) {
    return formatted.message;
  }
  return `Variable "$${node.variable.name.value}" got an invalid value for type "${print(node.type)}".`;
}

/**
 * The one error mask at the edge: errors with a known public code leave as they are (minus an
 * echoed variable value); everything else becomes "Internal server error" (logged by the error-logging
 * plugin with its request id). Never a stack trace, SQL text or input value. A lost database
 * connection, wherever it struck, is SERVICE_UNAVAILABLE: the client may retry.
 */
export function maskError(
  formatted: GraphQLFormattedError,
  error?: unknown,
): GraphQLFormattedError {
  if (isConnectionFailure(error)) return serviceUnavailableError(formatted.path);
  const code = formatted.extensions?.code;
  if (typeof code === "string" && PUBLIC_ERROR_CODES.has(code)) {
    return {
      message: withoutEchoedValue(formatted, error),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code },
    };
  }
  return {
    message: "Internal server error",
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  };
}

export function isPublicError(error: { extensions?: Record<string, unknown> }): boolean {
  const code = error.extensions?.code;
  return typeof code === "string" && PUBLIC_ERROR_CODES.has(code);
}
