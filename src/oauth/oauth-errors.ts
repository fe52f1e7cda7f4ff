import type { FastifyReply } from "fastify";

/**
 * Error codes of the token and revocation endpoints: RFC 6749 §5.2's, plus three from the IANA
 * "OAuth Extensions Error" registry for what §5.2 has no code for: `access_denied` (403, the
 * caller's address is not on the key's access list), `temporarily_unavailable` (429 after too
 * many failures, 503 without a database) and `server_error` (500).
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "access_denied"
  | "temporarily_unavailable"
  | "server_error";

/** A refusal of an OAuth endpoint, answered as `{"error", "error_description"}` JSON. */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 413 | 415 | 429 | 500 | 503,
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(description);
    this.name = "OAuthError";
  }
}

export function invalidRequest(description: string): OAuthError {
  return new OAuthError(400, "invalid_request", description);
}

/**
 * 401 with `WWW-Authenticate: Basic`, whichever way the client sent its credentials: HTTP requires
 * the header on every 401, and Basic is the method a client is invited to use.
 */
export function invalidClient(description: string): OAuthError {
  return new OAuthError(401, "invalid_client", description, {
    "www-authenticate": 'Basic realm="keyfob"',
  });
}

/** Token responses, good or bad, must never be cached (RFC 6749 §5.1). */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header("cache-control", "no-store").header("pragma", "no-cache");
}

export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
  return noStore(reply)
    .code(error.status)
    .type("application/json; charset=utf-8")
    .send({ error: error.error, error_description: error.description });
}
