import { randomBytes } from "node:crypto";
import { secretDigest } from "../auth/session-token";

/**
 * OAuth access tokens: `kfa_` and 256 random bits in base64url. The prefix tells them apart from
 * user session tokens (`kfs_`) in `Authorization: Bearer`, and makes a leaked one recognisable to
 * secret scanners.
 */
export const ACCESS_TOKEN_PREFIX = "kfa_";
const ACCESS_TOKEN = /^kfa_[A-Za-z0-9_-]{43}$/;

export function generateAccessToken(): string {
  return ACCESS_TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function isWellFormedAccessToken(token: string): boolean {
  return ACCESS_TOKEN.test(token);
}

/** What is stored of a token: its keyed digest (as for sessions and private keys). */
export function accessTokenDigest(serverSecret: string, token: string): Buffer {
  return secretDigest(serverSecret, token);
}
