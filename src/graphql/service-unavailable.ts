import type { GraphQLRequestListener } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import { isConnectionFailure } from "../db/connection-failure";
import type { DatabaseHealth } from "../db/database-health";
import type { RequestContext } from "./context";

/**
 * How long a client should wait before retrying while the database is unreachable: a restarting
 * PostgreSQL is usually back within a few seconds, and a refused connection costs little.
 */
export const RETRY_AFTER_SECONDS = 1;

export const SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE";

export const SERVICE_UNAVAILABLE_MESSAGE =
  "The service cannot reach its database right now; retry after the Retry-After delay.";

/** What the error mask makes of a connection failure: retryable, and nothing about its cause. */
export function serviceUnavailableError(
  path?: GraphQLFormattedError["path"],
): GraphQLFormattedError {
  return {
    message: SERVICE_UNAVAILABLE_MESSAGE,
    ...(path ? { path } : {}),
    extensions: { code: SERVICE_UNAVAILABLE },
  };
}

/**
 * A GraphQL request that lost its database, at any point (authentication aside, which answers
 * before Apollo), is answered with HTTP 503 and Retry-After, and reported once to the health seam
 * (which logs the outage, not the request). The error mask has given each such error its code.
 */
export function serviceUnavailableListener(
  health: DatabaseHealth,
): GraphQLRequestListener<RequestContext> {
  return {
    async didEncounterErrors({ errors }) {
      const lost = errors.find(isConnectionFailure);
      if (lost) health.failed(lost);
    },
    async willSendResponse({ response }) {
      const body = response.body;
      const errors = body.kind === "single" ? body.singleResult.errors : body.initialResult.errors;
      if (!errors?.some((error) => error.extensions?.code === SERVICE_UNAVAILABLE)) return;
      response.http.status = 503;
      response.http.headers.set("retry-after", String(RETRY_AFTER_SECONDS));
    },
  };
}
