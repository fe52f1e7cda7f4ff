import type { ApiKeyAuthenticator } from "../api-keys/api-key-authenticator";
import { ANONYMOUS, type Principal } from "./principal";
import type { SessionService } from "./session.service";

/** Why a request with credentials was turned away, as the HTTP layer answers it. */
export class AuthenticationFailure extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly code: "UNAUTHENTICATED" | "IP_ADDRESS_NOT_ON_ACCESS_LIST",
    message: string,
    /** The credential that failed, for per-credential throttling; never a secret. */
    readonly subject: string | null,
  ) {
    super(message);
    this.name = "AuthenticationFailure";
  }
}

const INVALID_TOKEN = "The bearer token is invalid or has expired; sign in again.";
const INVALID_KEY = "The API key's public or private key is not correct.";
const UNSUPPORTED =
  "Unsupported Authorization header: use `Bearer <token>` for users or HTTP Basic (public key and private key) for API keys.";

/**
 * Establishes who is calling from the `Authorization` header: no header is an anonymous caller;
 * a header that does not authenticate is an `AuthenticationFailure`, never a silent downgrade.
 */
export async function authenticate(
  sessions: SessionService,
  apiKeys: ApiKeyAuthenticator,
  header: string | undefined,
  clientAddress: string,
): Promise<Principal> {
  if (header === undefined || header === "") return ANONYMOUS;
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const credentials = space < 0 ? "" : header.slice(space + 1).trim();

  if (scheme === "bearer") {
    const principal = await sessions.authenticate(credentials);
    if (!principal) throw new AuthenticationFailure(401, "UNAUTHENTICATED", INVALID_TOKEN, null);
    return principal;
  }
  if (scheme === "basic") {
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const publicKey = colon < 0 ? decoded : decoded.slice(0, colon);
    const privateKey = colon < 0 ? "" : decoded.slice(colon + 1);
    const subject = /^[a-z]{8}$/.test(publicKey) ? publicKey : null;
    const verdict = await apiKeys.verify(publicKey, privateKey, clientAddress);
    switch (verdict.outcome) {
      case "admitted":
        return verdict.principal;
      case "refused":
        throw new AuthenticationFailure(
          403,
          "IP_ADDRESS_NOT_ON_ACCESS_LIST",
          verdict.message,
          subject,
        );
      default:
        throw new AuthenticationFailure(401, "UNAUTHENTICATED", INVALID_KEY, subject);
    }
  }
  throw new AuthenticationFailure(401, "UNAUTHENTICATED", UNSUPPORTED, null);
}
