import { randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import { inMemoryDigest } from "../auth/in-memory-digest";
import { secretDigest } from "../auth/session-token";

/** Atlas's shapes: an 8-letter public key and a UUID v4 private key. */
export const PUBLIC_KEY = /^[a-z]{8}$/;
export const PRIVATE_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const PRIVATE_KEY_TAIL_LENGTH = 12;
const REDACTED_PREFIX = "********-****-****-";
const ALPHABET = "abcdefghijklmnopqrstuvwxyz";

/** One private key (a key's secret) and what is stored of it. */
export interface SecretMaterial {
  /** Leaves the server once, in the create or rotate payload; never stored or logged. */
  privateKey: string;
  digest: Buffer;
  tail: string;
}

export interface KeyMaterial extends SecretMaterial {
  publicKey: string;
}

/** 8 random lowercase letters: 26^8 ≈ 2·10^11 names; the unique constraint settles a collision. */
export function generatePublicKey(): string {
  let publicKey = "";
  for (let i = 0; i < 8; i++) publicKey += ALPHABET[randomInt(ALPHABET.length)];
  return publicKey;
}

export function generateSecretMaterial(serverSecret: string): SecretMaterial {
  const privateKey = randomUUID();
  return {
    privateKey,
    digest: secretDigest(serverSecret, privateKey),
    tail: privateKey.slice(-PRIVATE_KEY_TAIL_LENGTH),
  };
}

export function generateKeyMaterial(serverSecret: string): KeyMaterial {
  return { publicKey: generatePublicKey(), ...generateSecretMaterial(serverSecret) };
}

/** `********-****-****-` followed by the private key's last 12 characters. */
export function redactPrivateKey(privateKeyTail: string): string {
  return REDACTED_PREFIX + privateKeyTail;
}

/**
 * The stored secret whose digest matches the presented private key, or undefined. The presented
 * key is digested once and compared in constant time with every secret, matching or not, so the
 * work does not depend on which one (if any) matches.
 */
export function matchingSecret<Secret extends { readonly digest: Buffer }>(
  serverSecret: string,
  presented: string,
  secrets: readonly Secret[],
): Secret | undefined {
  const digest = secretDigest(serverSecret, presented);
  let match: Secret | undefined;
  for (const secret of secrets) {
    const equal = secret.digest.length === digest.length && timingSafeEqual(digest, secret.digest);
    if (equal && !match) match = secret;
  }
  return match;
}

/**
 * `matchingSecret` for one cached key, which remembers the secret each presented private key
 * matched, by its `inMemoryDigest`: a key's repeated requests then skip the keyed digest, the
 * costliest step of a cache hit. Only a right key is remembered, so there is at most one entry
 * per secret, and a wrong key always takes the full constant-time check: it costs what it always
 * did. The remembered digests are looked up, like the verified-token cache's, by a digest under a
 * salt the caller never learns, so the lookup's timing says nothing about any key.
 */
export class SecretMatcher<Secret extends { readonly digest: Buffer }> {
  private readonly remembered = new Map<string, Secret>();

  constructor(
    private readonly serverSecret: string,
    readonly secrets: readonly Secret[],
  ) {}

  match(presented: string): Secret | undefined {
    const quick = inMemoryDigest(presented);
    const known = this.remembered.get(quick);
    if (known) return known;
    const match = matchingSecret(this.serverSecret, presented, this.secrets);
    if (match) this.remembered.set(quick, match);
    return match;
  }
}
