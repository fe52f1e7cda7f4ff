import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiKeyEntity } from "../api-keys/api-key.entity";
import { VerifiedTokenCache, type VerifiedToken } from "./verified-token-cache";

function token(apiKeyId: string, organizationId: string, endsAtMs = Date.now() + 60_000) {
  const key = Object.assign(new ApiKeyEntity(), { id: apiKeyId, organizationId });
  return { key, secretId: "s", endsAtMs, accessListRequired: true, entries: [] } as VerifiedToken;
}

describe("VerifiedTokenCache", () => {
  it("keeps an entry for its TTL, never past the token's end", () => {
    const cache = new VerifiedTokenCache(10_000);
    const now = 1_000_000;
    cache.set("a", token("k1", "o1", now + 60_000), cache.ticket(), now);
    cache.set("b", token("k1", "o1", now + 2_000), cache.ticket(), now);
    assert.ok(cache.get("a", now + 9_999));
    assert.equal(cache.get("a", now + 10_000), undefined);
    assert.ok(cache.get("b", now + 1_999));
    assert.equal(cache.get("b", now + 2_000), undefined);
  });

  it("drops a key's tokens on a change to the key, an organization's on a change to it", () => {
    const cache = new VerifiedTokenCache(10_000);
    cache.set("a", token("k1", "o1"), cache.ticket());
    cache.set("b", token("k2", "o1"), cache.ticket());
    cache.set("c", token("k3", "o2"), cache.ticket());
    cache.invalidate({ kind: "key", apiKeyId: "k1" });
    assert.deepEqual(
      ["a", "b", "c"].map((digest) => Boolean(cache.get(digest))),
      [false, true, true],
    );
    cache.invalidate({ kind: "organization", organizationId: "o1" });
    assert.deepEqual(
      ["a", "b", "c"].map((digest) => Boolean(cache.get(digest))),
      [false, false, true],
    );
  });

  it("discards a fill that raced an invalidation, and caches nothing while disabled", () => {
    const cache = new VerifiedTokenCache(10_000);
    const ticket = cache.ticket();
    cache.delete("x", "k1");
    cache.set("a", token("k1", "o1"), ticket);
    assert.equal(cache.size, 0, "a change to k1 since the ticket: discarded");
    const later = cache.ticket();
    cache.invalidate({ kind: "key", apiKeyId: "k9" });
    cache.set("a", token("k1", "o1"), later);
    assert.equal(cache.size, 1, "a change to another key does not discard it");
    cache.invalidate({ kind: "organization", organizationId: "o1" });
    assert.equal(cache.size, 0);
    const beforeSwitch = cache.ticket();
    cache.setEnabled(false);
    cache.setEnabled(true);
    cache.set("a", token("k1", "o1"), beforeSwitch);
    assert.equal(cache.size, 0, "switching discards every fill in flight");
    cache.setEnabled(false);
    cache.set("a", token("k1", "o1"), cache.ticket());
    assert.equal(cache.size, 0);
    cache.setEnabled(true);
    cache.set("a", token("k1", "o1"), cache.ticket());
    assert.equal(cache.size, 1);
  });
});
