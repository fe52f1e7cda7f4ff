import type { ApiKeyAuthenticator } from "../api-keys/api-key-authenticator";
import type { ClientAddress } from "../api-keys/cidr";
import { PUBLIC_KEY } from "../api-keys/key-material";
import type { ApiKeyPrincipal } from "../auth/principal";
import { TooManyFailures, type AuthThrottle } from "../auth/throttle";
import type { AuthenticationOutcome, Metrics } from "../metrics/metrics";
import { OAuthError, invalidClient, invalidRequest } from "./oauth-errors";

export interface ClientAuthenticators {
  apiKeyAuthenticator: ApiKeyAuthenticator;
  throttle: AuthThrottle;
  metrics: Metrics;
}

const WRONG_CREDENTIALS =
  "The client_id (public key) or client_secret (private key) is not correct.";

/** Decodes one part of a Basic client credential, form-urlencoded first (RFC 6749 §2.3.1). */
function formDecoded(part: string): string | null {
  try {
    return decodeURIComponent(part.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

/** The client's credentials from HTTP Basic or from the body; both at once is refused. */
function presentedCredentials(
  authorization: string | undefined,
  params: ReadonlyMap<string, string>,
): { publicKey: string; privateKey: string } {
  const clientId = params.get("client_id");
  const clientSecret = params.get("client_secret");
  if (authorization !== undefined) {
    const [scheme, encoded = "", ...rest] = authorization.trim().split(/\s+/);
    if (scheme.toLowerCase() !== "basic" || rest.length > 0) {
      throw invalidClient(
        "Authenticate the client with HTTP Basic (public key and private key) or with client_id and client_secret in the body.",
      );
    }
    if (clientSecret !== undefined) {
      throw invalidRequest(
        "The request authenticates the client twice (HTTP Basic and client_secret): use one method.",
      );
    }
    const decoded = Buffer.from(encoded, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const publicKey = formDecoded(colon < 0 ? decoded : decoded.slice(0, colon));
    const privateKey = colon < 0 ? "" : formDecoded(decoded.slice(colon + 1));
    if (publicKey === null || privateKey === null) throw invalidClient(WRONG_CREDENTIALS);
    if (clientId !== undefined && clientId !== publicKey) {
      throw invalidRequest("client_id differs from the client named by HTTP Basic.");
    }
    return { publicKey, privateKey };
  }
  if (clientId === undefined && clientSecret === undefined) {
    throw invalidClient(
      "No client authentication: send the API key as HTTP Basic (public key and private key) or as client_id and client_secret.",
    );
  }
  if (clientId === undefined) throw invalidRequest("client_secret needs client_id.");
  if (clientSecret === undefined) {
    throw invalidClient("client_secret is missing: keyfob has no public clients.");
  }
  return { publicKey: clientId, privateKey: clientSecret };
}

/**
 * Authenticates the client of the token and revocation endpoints: an API key, checked exactly as
 * HTTP Basic is on /graphql (the same constant-time verification, the same access list, the same
 * failure counters per address and per public key, so guesses here and there add up). Outcomes are
 * counted under the `oauth_client` method. Throws an `OAuthError` for every refusal.
 */
export async function authenticateClient(
  { apiKeyAuthenticator, throttle, metrics }: ClientAuthenticators,
  authorization: string | undefined,
  params: ReadonlyMap<string, string>,
  client: ClientAddress,
): Promise<ApiKeyPrincipal> {
  let outcome: AuthenticationOutcome = "unavailable";
  try {
    const { publicKey, privateKey } = presentedCredentials(authorization, params);
    const subject = PUBLIC_KEY.test(publicKey) ? `key:${publicKey}` : null;
    try {
      await throttle.assertAllowed(client.text, subject);
      const verdict = await apiKeyAuthenticator.verify(publicKey, privateKey, client);
      if (verdict.outcome === "admitted") {
        outcome = "ok";
        return verdict.principal;
      }
      // Right credentials refused for the key's state or the caller's place: not counted.
      if (verdict.outcome === "unusable") throw invalidClient(verdict.message);
      if (verdict.outcome === "refused") {
        throw new OAuthError(403, "access_denied", verdict.message);
      }
      await throttle.recordFailure(client.text, subject);
      throw invalidClient(WRONG_CREDENTIALS);
    } catch (error) {
      if (!(error instanceof TooManyFailures)) throw error;
      throw new OAuthError(429, "temporarily_unavailable", error.message, {
        "retry-after": String(error.retryAfterSeconds),
      });
    }
  } catch (error) {
    if (error instanceof OAuthError) {
      outcome =
        error.status === 403
          ? "not_on_access_list"
          : error.status === 429
            ? "throttled"
            : "unauthenticated";
    }
    throw error;
  } finally {
    metrics.authentication("oauth_client", outcome);
  }
}
