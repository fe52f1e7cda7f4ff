import type { ApiKeyAuthenticator, KeyVerdict } from "../api-keys/api-key-authenticator";
import type { ClientAddress } from "../api-keys/cidr";
import { PUBLIC_KEY } from "../api-keys/key-material";
import type { AuthenticationMethod, AuthenticationOutcome, Metrics } from "../metrics/metrics";
import { ACCESS_TOKEN_PREFIX } from "../oauth/access-token";
import type { OAuthTokenService, TokenVerdict } from "../oauth/oauth-token.service";
import { ANONYMOUS, type Principal } from "./principal";
import type { SessionService } from "./session.service";
import { TooManyFailures, type AuthThrottle } from "./throttle";

/** Why a request with credentials was turned away, as the HTTP layer answers it. */
export class AuthenticationFailure extends Error {
  constructor(
    readonly status: 401 | 403 | 429,
    readonly code: "UNAUTHENTICATED" | "IP_ADDRESS_NOT_ON_ACCESS_LIST" | "TOO_MANY_REQUESTS",
    message: string,
    /** Seconds to wait, for 429. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "AuthenticationFailure";
  }
}

const INVALID_TOKEN = "The bearer token is invalid or has expired; sign in again.";
const INVALID_ACCESS_TOKEN =
  "The access token is invalid, expired or revoked, or its API key or private key no longer works: get a new one from POST /oauth/token.";
const INVALID_KEY = "The API key's public or private key is not correct.";
const UNSUPPORTED =
  "Unsupported Authorization header: use `Bearer <token>` for users or HTTP Basic (public key and private key) for API keys.";

export interface Authenticators {
  sessions: SessionService;
  apiKeyAuthenticator: ApiKeyAuthenticator;
  oauthTokens: Pick<OAuthTokenService, "verify">;
  throttle: AuthThrottle;
  metrics: Metrics;
}

/** The metric outcome of each refusal; a new failure code must name its outcome here. */
const OUTCOMES: Record<AuthenticationFailure["code"], AuthenticationOutcome> = {
  UNAUTHENTICATED: "unauthenticated",
  IP_ADDRESS_NOT_ON_ACCESS_LIST: "not_on_access_list",
  TOO_MANY_REQUESTS: "throttled",
};

/** What an `Authorization` header presents, parsed once. */
interface Presented {
  method: AuthenticationMethod;
  credentials: string;
  /** The Basic pair, for `basic`. */
  basic: { publicKey: string; privateKey: string } | null;
  /** What failures count against besides the address: the public key, when it could be one. */
  subject: string | null;
}

/** The principal, or a failure to count; a refusal that is not a guess is thrown instead. */
type Attempt = Principal | AuthenticationFailure;

/**
 * Establishes who is calling from the `Authorization` header: no header is an anonymous caller;
 * a header that does not authenticate is an `AuthenticationFailure`, never a silent downgrade.
 * `Bearer kfa_…` is an API key's OAuth access token, any other bearer token a user's session.
 * Failed attempts are throttled per client address and per public key. Every outcome is
 * counted by method; an error that is none of them (the database is unreachable) is counted as
 * "unavailable" and rethrown.
 *
 * The answer comes at once, not as a promise, when nothing had to be waited for: no
 * credentials, or a cached key or token with no failures held against its caller. That is most
 * programmatic requests, and a promise there costs microtask turns for nothing. The steps are
 * module functions rather than closures for the same reason: nothing is made per request.
 */
export function authenticate(
  authenticators: Authenticators,
  header: string | undefined,
  client: ClientAddress,
): Principal | Promise<Principal> {
  if (header === undefined || header === "") return ANONYMOUS;
  const presented = parseAuthorization(header);
  const { metrics } = authenticators;
  try {
    const held = authenticators.throttle.assertAllowed(client.text, presented.subject);
    const settled = held
      ? held.then(() => attemptAndSettle(authenticators, presented, client))
      : attemptAndSettle(authenticators, presented, client);
    return settled instanceof Promise
      ? settled.catch((error: unknown) => refuse(metrics, presented.method, error))
      : settled;
  } catch (error) {
    return refuse(metrics, presented.method, error);
  }
}

function parseAuthorization(header: string): Presented {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const credentials = space < 0 ? "" : header.slice(space + 1).trim();
  if (scheme === "basic") {
    const basic = parseBasic(credentials);
    const subject = PUBLIC_KEY.test(basic.publicKey) ? `key:${basic.publicKey}` : null;
    return { method: "basic", credentials, basic, subject };
  }
  const method =
    scheme !== "bearer"
      ? "other"
      : credentials.startsWith(ACCESS_TOKEN_PREFIX)
        ? "oauth"
        : "bearer";
  return { method, credentials, basic: null, subject: null };
}

function attemptAndSettle(
  authenticators: Authenticators,
  presented: Presented,
  client: ClientAddress,
): Principal | Promise<Principal> {
  const outcome = attempt(authenticators, presented, client);
  return outcome instanceof Promise
    ? outcome.then((settled) => settle(authenticators, presented, client, settled))
    : settle(authenticators, presented, client, outcome);
}

function attempt(
  { sessions, apiKeyAuthenticator, oauthTokens }: Authenticators,
  { method, credentials, basic }: Presented,
  client: ClientAddress,
): Attempt | Promise<Attempt> {
  if (method === "oauth") {
    const verdict = oauthTokens.verify(credentials, client);
    return verdict instanceof Promise ? verdict.then(tokenAttempt) : tokenAttempt(verdict);
  }
  if (method === "bearer") return sessions.authenticate(credentials).then(sessionAttempt);
  if (basic) {
    const verdict = apiKeyAuthenticator.verify(basic.publicKey, basic.privateKey, client);
    return verdict instanceof Promise ? verdict.then(keyAttempt) : keyAttempt(verdict);
  }
  return new AuthenticationFailure(401, "UNAUTHENTICATED", UNSUPPORTED);
}

function tokenAttempt(verdict: TokenVerdict): Attempt {
  if (verdict.outcome === "admitted") return verdict.principal;
  if (verdict.outcome === "refused") {
    throw new AuthenticationFailure(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", verdict.message);
  }
  return new AuthenticationFailure(401, "UNAUTHENTICATED", INVALID_ACCESS_TOKEN);
}

function sessionAttempt(principal: Principal | null): Attempt {
  return principal ?? new AuthenticationFailure(401, "UNAUTHENTICATED", INVALID_TOKEN);
}

function keyAttempt(verdict: KeyVerdict): Attempt {
  if (verdict.outcome === "admitted") return verdict.principal;
  // Right credentials, refused for the key's state or the caller's place: not a guess, so not
  // counted.
  if (verdict.outcome === "unusable") {
    throw new AuthenticationFailure(401, "UNAUTHENTICATED", verdict.message);
  }
  if (verdict.outcome === "refused") {
    throw new AuthenticationFailure(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", verdict.message);
  }
  return new AuthenticationFailure(401, "UNAUTHENTICATED", INVALID_KEY);
}

/** Counts an admission; counts a failure against the caller and rejects with it. */
function settle(
  { throttle, metrics }: Authenticators,
  presented: Presented,
  client: ClientAddress,
  outcome: Attempt,
): Principal | Promise<never> {
  if (!(outcome instanceof AuthenticationFailure)) {
    metrics.authentication(presented.method, "ok");
    return outcome;
  }
  return throttle.recordFailure(client.text, presented.subject).then(() => Promise.reject(outcome));
}

/** Counts a refusal (429 for too many failures) or an error that is none, and throws it. */
function refuse(metrics: Metrics, method: AuthenticationMethod, error: unknown): never {
  const failure =
    error instanceof TooManyFailures
      ? new AuthenticationFailure(429, "TOO_MANY_REQUESTS", error.message, error.retryAfterSeconds)
      : error;
  metrics.authentication(
    method,
    failure instanceof AuthenticationFailure ? OUTCOMES[failure.code] : "unavailable",
  );
  throw failure;
}

/**
 * `atob`, not `Buffer.from(…, "base64")`: a third of the cost, on every key request. It yields
 * one character per byte, which is the text itself for the only credentials that can match
 * (an 8-letter public key, a UUID private key); anything else stays as unmatchable as before,
 * and malformed base64 reads as no credentials at all.
 */
function parseBasic(credentials: string): { publicKey: string; privateKey: string } {
  let decoded: string;
  try {
    decoded = atob(credentials);
  } catch {
    decoded = "";
  }
  const colon = decoded.indexOf(":");
  return colon < 0
    ? { publicKey: decoded, privateKey: "" }
    : { publicKey: decoded.slice(0, colon), privateKey: decoded.slice(colon + 1) };
}
