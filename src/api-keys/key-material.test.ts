import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  PRIVATE_KEY,
  PRIVATE_KEY_TAIL_LENGTH,
  PUBLIC_KEY,
  generateKeyMaterial,
  generatePublicKey,
  generateSecretMaterial,
  matchingSecret,
  redactPrivateKey,
  SecretMatcher,
} from "./key-material";

const SECRET = "unit-test-secret-0123456789abcdef0123456789";
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("generatePublicKey", () => {
  it("is 8 lowercase letters", () => {
    for (let i = 0; i < 200; i++) assert.match(generatePublicKey(), /^[a-z]{8}$/);
  });

  it("varies from call to call", () => {
    const keys = new Set(Array.from({ length: 200 }, generatePublicKey));
    assert.equal(keys.size, 200);
  });
});

describe("generateKeyMaterial", () => {
  it("makes an 8-letter public key and a UUID v4 private key", () => {
    const material = generateKeyMaterial(SECRET);
    assert.match(material.publicKey, /^[a-z]{8}$/);
    assert.match(material.privateKey, UUID_V4);
    assert.match(material.publicKey, PUBLIC_KEY);
    assert.match(material.privateKey, PRIVATE_KEY);
  });

  it("keeps the private key's last 12 characters as the tail", () => {
    const material = generateKeyMaterial(SECRET);
    assert.equal(PRIVATE_KEY_TAIL_LENGTH, 12);
    assert.equal(material.tail, material.privateKey.slice(-12));
    assert.equal(material.tail, material.privateKey.split("-")[4]);
  });

  it("stores an HMAC-SHA-256 of the private key keyed with the server secret, never the key", () => {
    const material = generateKeyMaterial(SECRET);
    const expected = createHmac("sha256", SECRET).update(material.privateKey).digest();
    assert.equal(material.digest.length, 32);
    assert.deepEqual(material.digest, expected);
    assert.ok(!material.digest.toString("utf8").includes(material.privateKey));
    assert.ok(!material.digest.toString("hex").includes(material.tail));
  });

  it("never repeats a key pair", () => {
    const a = generateKeyMaterial(SECRET);
    const b = generateKeyMaterial(SECRET);
    assert.notEqual(a.privateKey, b.privateKey);
    assert.notDeepEqual(a.digest, b.digest);
  });
});

/** The old single-digest check, in terms of matchingSecret. */
function privateKeyMatches(serverSecret: string, presented: string, digest: Buffer): boolean {
  return matchingSecret(serverSecret, presented, [{ digest }]) !== undefined;
}

describe("matchingSecret against one secret", () => {
  it("accepts the private key the digest was made from, every time (stable digest)", () => {
    const material = generateKeyMaterial(SECRET);
    for (let i = 0; i < 3; i++) {
      assert.equal(privateKeyMatches(SECRET, material.privateKey, material.digest), true);
    }
  });

  it("refuses another private key, a near miss and an empty one", () => {
    const material = generateKeyMaterial(SECRET);
    const other = generateKeyMaterial(SECRET).privateKey;
    const nearMiss =
      material.privateKey.slice(0, -1) + (material.privateKey.endsWith("0") ? "1" : "0");
    for (const presented of [other, nearMiss, material.privateKey.toUpperCase(), ""]) {
      assert.equal(privateKeyMatches(SECRET, presented, material.digest), false, presented);
    }
  });

  it("refuses the right key under another server secret", () => {
    const material = generateKeyMaterial(SECRET);
    assert.equal(
      privateKeyMatches(`${SECRET}-rotated`, material.privateKey, material.digest),
      false,
    );
  });

  it("answers false, without throwing, for a stored digest of the wrong length", () => {
    const material = generateKeyMaterial(SECRET);
    for (const digest of [Buffer.alloc(0), material.digest.subarray(0, 16)]) {
      assert.equal(privateKeyMatches(SECRET, material.privateKey, digest), false);
    }
  });
});

describe("matchingSecret against several secrets", () => {
  it("finds the secret the presented private key belongs to, whichever position it holds", () => {
    const secrets = [generateSecretMaterial(SECRET), generateSecretMaterial(SECRET)];
    for (const secret of secrets) {
      assert.equal(matchingSecret(SECRET, secret.privateKey, secrets), secret);
    }
  });

  it("finds nothing for a private key of no secret, nor in an empty list", () => {
    const secrets = [generateSecretMaterial(SECRET), generateSecretMaterial(SECRET)];
    assert.equal(
      matchingSecret(SECRET, generateSecretMaterial(SECRET).privateKey, secrets),
      undefined,
    );
    assert.equal(matchingSecret(SECRET, secrets[0].privateKey, []), undefined);
  });
});

describe("SecretMatcher (one cached key's secrets)", () => {
  it("finds each secret by its private key, first time and again", () => {
    const secrets = [generateSecretMaterial(SECRET), generateSecretMaterial(SECRET)];
    const matcher = new SecretMatcher(SECRET, secrets);
    for (let round = 0; round < 3; round++) {
      for (const secret of secrets) assert.equal(matcher.match(secret.privateKey), secret);
    }
  });

  it("refuses other keys before and after a right one was remembered", () => {
    const secret = generateSecretMaterial(SECRET);
    const matcher = new SecretMatcher(SECRET, [secret]);
    const others = [generateSecretMaterial(SECRET).privateKey, "", secret.privateKey.toUpperCase()];
    for (const other of others) assert.equal(matcher.match(other), undefined);
    matcher.match(secret.privateKey);
    for (const other of others) assert.equal(matcher.match(other), undefined);
  });

  it("answers a remembered key without the keyed digest", () => {
    // The stored digest is spoiled after the first match: only the remembered digest can still
    // find the secret, and only for the key that matched.
    const material = generateSecretMaterial(SECRET);
    const secret = { digest: material.digest };
    const matcher = new SecretMatcher(SECRET, [secret]);
    assert.equal(matcher.match(material.privateKey), secret);
    secret.digest = Buffer.alloc(32);
    assert.equal(matcher.match(material.privateKey), secret);
    assert.equal(matcher.match(generateSecretMaterial(SECRET).privateKey), undefined);
  });

  it("finds nothing in an empty list", () => {
    const matcher = new SecretMatcher(SECRET, []);
    assert.equal(matcher.match(generateSecretMaterial(SECRET).privateKey), undefined);
  });
});

describe("redactPrivateKey", () => {
  it("masks all but the last 12 characters in the UUID's shape", () => {
    const material = generateKeyMaterial(SECRET);
    const redacted = redactPrivateKey(material.tail);
    assert.equal(redacted, `********-****-****-${material.privateKey.slice(-12)}`);
    assert.ok(!redacted.includes(material.privateKey.slice(0, 8)));
  });
});
