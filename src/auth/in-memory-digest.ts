import { hash, randomBytes } from "node:crypto";

/** Drawn at start-up and never stored or sent: digests made with it mean nothing elsewhere. */
const PROCESS_SALT = randomBytes(32).toString("base64");

/**
 * A digest of a high-entropy secret (a private key, an access token) for this process's own
 * lookups: which cached key a presented secret already matched, which cached token it is.
 * SHA-256 over a per-process random salt and the value, in one call of `crypto.hash`, as base64:
 * about a seventh of what the keyed digest (`secretDigest`, a fresh HMAC each call) costs, on
 * every authenticated request. The salt keeps a heap dump's digests useless against other
 * processes, and 122 bits of entropy (a UUID v4, more for tokens) keep them useless against
 * guessing. Never stored: what the database holds is `secretDigest`.
 */
export function inMemoryDigest(value: string): string {
  // A string, not a Buffer: making the Buffer would cost more than the hash.
  return hash("sha256", PROCESS_SALT + value, "base64");
}
