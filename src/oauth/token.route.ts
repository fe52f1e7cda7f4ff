import type { IncomingMessage, ServerResponse } from "node:http";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawServerDefault,
} from "fastify";
import type { DatabaseHealth } from "../db/database-health";
import { RETRY_AFTER_SECONDS } from "../graphql/service-unavailable";
import { authenticateClient, type ClientAuthenticators } from "./client-authentication";
import { OAuthError, invalidClient, invalidRequest, noStore, sendOAuthError } from "./oauth-errors";
import type { OAuthTokenService } from "./oauth-token.service";

export interface OAuthRouteDependencies extends ClientAuthenticators {
  oauthTokens: OAuthTokenService;
  health: DatabaseHealth;
  /** PUBLIC_URL, the issuer; undefined derives it from each request. */
  publicUrl: string | undefined;
}

export const TOKEN_PATH = "/oauth/token";
export const REVOCATION_PATH = "/oauth/revoke";
export const METADATA_PATH = "/.well-known/oauth-authorization-server";

const FORM = "application/x-www-form-urlencoded";
/** Parameters the endpoints read; only these are ever named back in an error. */
const KNOWN_PARAMETERS = new Set([
  "grant_type",
  "scope",
  "client_id",
  "client_secret",
  "token",
  "token_type_hint",
]);

/** What the scoped body parser makes of a body: the form's text, or a marker for anything else. */
type OAuthBody = { form: string } | { notForm: true };

/**
 * The request's parameters (RFC 6749 §3.2): a form-encoded POST body, each parameter at most once;
 * a parameter sent without a value counts as omitted.
 */
function parameters(request: FastifyRequest): Map<string, string> {
  const body = request.body as OAuthBody | undefined;
  if (!body || !("form" in body)) {
    throw invalidRequest(`Send the parameters as an ${FORM} body.`);
  }
  const params = new Map<string, string>();
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(body.form)) {
    if (seen.has(name)) {
      throw invalidRequest(
        KNOWN_PARAMETERS.has(name)
          ? `The parameter ${name} is repeated: send each parameter once.`
          : "A parameter is repeated: send each parameter once.",
      );
    }
    seen.add(name);
    if (value !== "") params.set(name, value);
  }
  return params;
}

/** `PUBLIC_URL`, or the scheme and host the client used (the proxy's, with TRUST_PROXY). */
function issuer(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  const host = request.host;
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host ?? "")) {
    throw invalidRequest("The Host header is not a host name: set PUBLIC_URL.");
  }
  return `${request.protocol}://${host}`;
}

/**
 * The OAuth 2.0 endpoints of API keys: the token endpoint (client-credentials grant, RFC 6749
 * §4.4), revocation (RFC 7009) and the authorization-server metadata (RFC 8414). They answer only
 * in OAuth's JSON error shape, never a GraphQL body, and never let a token response be cached.
 * Their body parsing is scoped to them: form-encoded only, within the service's body limit.
 */
export function registerOAuthRoutes<Logger extends FastifyBaseLogger>(
  fastify: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>,
  deps: OAuthRouteDependencies,
): void {
  const { oauthTokens, health, publicUrl } = deps;

  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(FORM, { parseAs: "string" }, (_request, body, done) =>
      done(null, { form: body as string } satisfies OAuthBody),
    );
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, _body, done) =>
      done(null, { notForm: true } satisfies OAuthBody),
    );
    scope.setErrorHandler((error: { statusCode?: number }, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status === 413) {
        return sendOAuthError(
          reply,
          new OAuthError(413, "invalid_request", "The body is too large."),
        );
      }
      if (status < 500) {
        return sendOAuthError(reply, invalidRequest("The request could not be read."));
      }
      if (health.failed(error)) {
        return sendOAuthError(
          reply,
          new OAuthError(
            503,
            "temporarily_unavailable",
            "keyfob cannot reach its database; retry shortly.",
            { "retry-after": String(RETRY_AFTER_SECONDS) },
          ),
        );
      }
      request.log.error({ err: error }, "unexpected error in an OAuth endpoint");
      return sendOAuthError(reply, new OAuthError(500, "server_error", "Internal server error"));
    });

    const answer =
      (handle: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          return await handle(request, reply);
        } catch (error) {
          if (error instanceof OAuthError) return sendOAuthError(reply, error);
          throw error;
        }
      };

    scope.post(
      TOKEN_PATH,
      answer(async (request, reply) => {
        const params = parameters(request);
        const grantType = params.get("grant_type");
        if (grantType === undefined) throw invalidRequest("grant_type is missing.");
        if (grantType !== "client_credentials") {
          throw new OAuthError(
            400,
            "unsupported_grant_type",
            "keyfob supports only grant_type=client_credentials.",
          );
        }
        if (params.has("scope")) {
          throw new OAuthError(
            400,
            "invalid_scope",
            "API keys have no scopes: a token carries the key's roles. Leave scope out.",
          );
        }
        const principal = await authenticateClient(
          deps,
          request.headers.authorization,
          params,
          request.client,
        );
        request.principal = principal;
        const issued = await oauthTokens.issue(principal.apiKeyId, principal.secretId);
        // The key or the secret ended between the check and the insert.
        if (!issued) throw invalidClient("The API key or its private key is no longer valid.");
        return noStore(reply).type("application/json; charset=utf-8").send({
          access_token: issued.accessToken,
          token_type: "Bearer",
          expires_in: issued.expiresIn,
        });
      }),
    );

    scope.post(
      REVOCATION_PATH,
      answer(async (request, reply) => {
        const params = parameters(request);
        const token = params.get("token");
        if (token === undefined) throw invalidRequest("token is missing.");
        // token_type_hint is only a hint (RFC 7009 §2.1): there is one kind of token to look for.
        const principal = await authenticateClient(
          deps,
          request.headers.authorization,
          params,
          request.client,
        );
        request.principal = principal;
        await oauthTokens.revoke(principal.apiKeyId, token);
        // RFC 7009 leaves the body to the server and clients ignore it; an empty JSON object
        // suits those that insist on JSON (simple-oauth2 does).
        return noStore(reply).type("application/json; charset=utf-8").send({});
      }),
    );
  });

  fastify.get(METADATA_PATH, async (request, reply) => {
    let base: string;
    try {
      base = issuer(request, publicUrl);
    } catch (error) {
      return sendOAuthError(reply, error as OAuthError);
    }
    void reply.header("cache-control", publicUrl ? "public, max-age=3600" : "no-cache");
    return {
      issuer: base,
      token_endpoint: `${base}${TOKEN_PATH}`,
      revocation_endpoint: `${base}${REVOCATION_PATH}`,
      grant_types_supported: ["client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      // No authorization endpoint: no response types.
      response_types_supported: [],
    };
  });
}
