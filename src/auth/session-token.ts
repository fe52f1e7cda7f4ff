import { createHmac, randomBytes } from "node:crypto";

/** Prefix that makes a leaked token recognisable to secret scanners. */
const SESSION_TOKEN_PREFIX = "kfs_";
const SESSION_TOKEN = /^kfs_[A-Za-z0-9_-]{43}$/;

/** A new bearer token: 256 random bits. */
export function generateSessionToken(): string {
  return SESSION_TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function isWellFormedSessionToken(token: string): boolean {
  return SESSION_TOKEN.test(token);
}

/**
 * Keyed digest of a high-entropy secret (a session token or an API private key). A fast keyed
 * hash is right here: the input cannot be guessed, and the key keeps a stolen table useless.
 */
export function secretDigest(serverSecret: string, value: string): Buffer {
  return createHmac("sha256", serverSecret).update(value, "utf8").digest();
}
