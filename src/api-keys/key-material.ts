import { randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import { secretDigest } from "../auth/session-token";

/** Atlas's shapes: an 8-letter public key and a UUID v4 private key. */
export const PUBLIC_KEY = /^[a-z]{8}$/;
export const PRIVATE_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const PRIVATE_KEY_TAIL_LENGTH = 12;
const REDACTED_PREFIX = "********-****-****-";
const ALPHABET = "abcdefghijklmnopqrstuvwxyz";

export interface KeyMaterial {
  publicKey: string;
  /** Leaves the server once, in the create payload; never stored or logged. */
  privateKey: string;
  privateKeyDigest: Buffer;
  privateKeyTail: string;
}

/** 8 random lowercase letters: 26^8 ≈ 2·10^11 names; the unique constraint settles a collision. */
export function generatePublicKey(): string {
  let publicKey = "";
  for (let i = 0; i < 8; i++) publicKey += ALPHABET[randomInt(ALPHABET.length)];
  return publicKey;
}

export function generateKeyMaterial(serverSecret: string): KeyMaterial {
  const privateKey = randomUUID();
  return {
    publicKey: generatePublicKey(),
    privateKey,
    privateKeyDigest: secretDigest(serverSecret, privateKey),
    privateKeyTail: privateKey.slice(-PRIVATE_KEY_TAIL_LENGTH),
  };
}

/** `********-****-****-` followed by the private key's last 12 characters. */
export function redactPrivateKey(privateKeyTail: string): string {
  return REDACTED_PREFIX + privateKeyTail;
}

/** Constant-time check of a presented private key against the stored digest. */
export function privateKeyMatches(
  serverSecret: string,
  presented: string,
  storedDigest: Buffer,
): boolean {
  const digest = secretDigest(serverSecret, presented);
  return digest.length === storedDigest.length && timingSafeEqual(digest, storedDigest);
}
