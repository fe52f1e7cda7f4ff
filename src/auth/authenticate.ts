import type { ApiKeyAuthenticator } from "../api-keys/api-key-authenticator";
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
const INVALID_KEY = "The API key's public or private key is not correct.";
const UNSUPPORTED =
  "Unsupported Authorization header: use `Bearer <token>` for users or HTTP Basic (public key and private key) for API keys.";

export interface Authenticators {
  sessions: SessionService;
  apiKeyAuthenticator: ApiKeyAuthenticator;
  throttle: AuthThrottle;
}

/**
 * Establishes who is calling from the `Authorization` header: no header is an anonymous caller;
 * a header that does not authenticate is an `AuthenticationFailure`, never a silent downgrade.
 * Failed attempts are throttled per client address and per public key.
 */
export async function authenticate(
  { sessions, apiKeyAuthenticator, throttle }: Authenticators,
  header: string | undefined,
  clientAddress: string,
): Promise<Principal> {
  if (header === undefined || header === "") return ANONYMOUS;
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const credentials = space < 0 ? "" : header.slice(space + 1).trim();

  const basic = scheme === "basic" ? parseBasic(credentials) : null;
  const subject = basic && /^[a-z]{8}$/.test(basic.publicKey) ? `key:${basic.publicKey}` : null;
  const attempt = async (): Promise<Principal | AuthenticationFailure> => {
    if (scheme === "bearer") {
      const principal = await sessions.authenticate(credentials);
      return principal ?? new AuthenticationFailure(401, "UNAUTHENTICATED", INVALID_TOKEN);
    }
    if (basic) {
      const verdict = await apiKeyAuthenticator.verify(
        basic.publicKey,
        basic.privateKey,
        clientAddress,
      );
      if (verdict.outcome === "admitted") return verdict.principal;
      if (verdict.outcome === "refused") {
        // Right credentials from the wrong place: not a guess, so not counted.
        throw new AuthenticationFailure(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", verdict.message);
      }
      return new AuthenticationFailure(401, "UNAUTHENTICATED", INVALID_KEY);
    }
    return new AuthenticationFailure(401, "UNAUTHENTICATED", UNSUPPORTED);
  };

  try {
    await throttle.assertAllowed(clientAddress, subject);
    const outcome = await attempt();
    if (!(outcome instanceof AuthenticationFailure)) return outcome;
    await throttle.recordFailure(clientAddress, subject);
    throw outcome;
  } catch (error) {
    if (error instanceof TooManyFailures) {
      throw new AuthenticationFailure(
        429,
        "TOO_MANY_REQUESTS",
        error.message,
        error.retryAfterSeconds,
      );
    }
    throw error;
  }
}

function parseBasic(credentials: string): { publicKey: string; privateKey: string } {
  const decoded = Buffer.from(credentials, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0
    ? { publicKey: decoded, privateKey: "" }
    : { publicKey: decoded.slice(0, colon), privateKey: decoded.slice(colon + 1) };
}
