import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { inMemoryDigest } from "./in-memory-digest";

describe("inMemoryDigest", () => {
  it("is stable within the process and tells values apart", () => {
    const value = randomUUID();
    assert.equal(inMemoryDigest(value), inMemoryDigest(value));
    assert.notEqual(inMemoryDigest(value), inMemoryDigest(randomUUID()));
  });

  it("is salted: neither the value nor its plain SHA-256", () => {
    const value = randomUUID();
    const digest = inMemoryDigest(value);
    assert.equal(Buffer.from(digest, "base64").length, 32);
    assert.ok(!digest.includes(value));
    assert.notEqual(digest, createHash("sha256").update(value).digest("base64"));
  });
});
