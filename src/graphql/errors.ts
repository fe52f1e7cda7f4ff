import { GraphQLError } from "graphql";

/** `extensions.code` values that may leave the server as they are; anything else is masked. */
export const PUBLIC_ERROR_CODES = new Set([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "IP_ADDRESS_NOT_ON_ACCESS_LIST",
  "TOO_MANY_REQUESTS",
  "SERVICE_UNAVAILABLE",
]);

export function unauthenticatedError(
  message = "Sign in, or authenticate with an API key, to do this.",
): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED" } });
}

export function forbiddenError(message = "You do not have permission to do this."): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "FORBIDDEN" } });
}

export function badUserInputError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}
