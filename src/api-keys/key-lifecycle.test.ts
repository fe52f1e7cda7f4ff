import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  changedExpiry,
  endOfGrace,
  expiryOfNewKey,
  isLiveSecret,
  keyRefusal,
  latestAllowedExpiry,
  refusalMessage,
} from "./key-lifecycle";

const NOW = new Date("2026-11-24T10:00:00.000Z");
const DAY = 86_400_000;
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe("expiryOfNewKey", () => {
  it("never expires without a request and without a policy", () => {
    assert.deepEqual(expiryOfNewKey(undefined, NOW, null), { ok: true, expiresAt: null });
    assert.deepEqual(expiryOfNewKey(null, NOW, null), { ok: true, expiresAt: null });
  });

  it("gets the policy's maximum when nothing is requested", () => {
    assert.deepEqual(expiryOfNewKey(undefined, NOW, 90), { ok: true, expiresAt: at(90 * DAY) });
    assert.deepEqual(expiryOfNewKey(null, NOW, 1), { ok: true, expiresAt: at(DAY) });
  });

  it("takes a future instant, up to and including the policy's maximum", () => {
    assert.deepEqual(expiryOfNewKey(at(1), NOW, null), { ok: true, expiresAt: at(1) });
    assert.deepEqual(expiryOfNewKey(at(3650 * DAY * 2), NOW, null).ok, true);
    assert.deepEqual(expiryOfNewKey(at(30 * DAY), NOW, 30), { ok: true, expiresAt: at(30 * DAY) });
  });

  it("refuses now, the past, and anything past the policy's maximum", () => {
    for (const requested of [NOW, at(-1), at(-DAY)]) {
      const result = expiryOfNewKey(requested, NOW, null);
      assert.equal(result.ok, false);
      assert.match((result as { message: string }).message, /in the future/);
    }
    const late = expiryOfNewKey(at(30 * DAY + 1), NOW, 30);
    assert.equal(late.ok, false);
    assert.match((late as { message: string }).message, /within 30 days.*maxApiKeyLifetimeDays/);
  });

  it("refuses an invalid date", () => {
    assert.equal(expiryOfNewKey(new Date(Number.NaN), NOW, null).ok, false);
  });
});

describe("changedExpiry", () => {
  it("null means never, unless the organization has a maximum lifetime", () => {
    assert.deepEqual(changedExpiry(null, NOW, null), { ok: true, expiresAt: null });
    const refused = changedExpiry(null, NOW, 90);
    assert.equal(refused.ok, false);
    assert.match((refused as { message: string }).message, /within 90 days/);
  });

  it("counts the maximum from now, so an expired key can be given a new life", () => {
    assert.deepEqual(changedExpiry(at(10 * DAY), NOW, 10), { ok: true, expiresAt: at(10 * DAY) });
    assert.equal(changedExpiry(at(10 * DAY + 1), NOW, 10).ok, false);
    assert.equal(changedExpiry(at(-1), NOW, null).ok, false);
  });
});

describe("latestAllowedExpiry", () => {
  it("is now plus whole days", () => {
    assert.deepEqual(latestAllowedExpiry(NOW, 3650), at(3650 * DAY));
  });
});

describe("endOfGrace", () => {
  it("is now plus the grace period, or now for no grace", () => {
    assert.deepEqual(endOfGrace(NOW, 86_400, null), at(DAY));
    assert.deepEqual(endOfGrace(NOW, 0, null), NOW);
  });

  it("never runs past the key's own expiry", () => {
    assert.deepEqual(endOfGrace(NOW, 86_400, at(60_000)), at(60_000));
    assert.deepEqual(endOfGrace(NOW, 60, at(DAY)), at(60_000));
  });
});

describe("isLiveSecret", () => {
  it("is live without an expiry, or until the instant it expires", () => {
    const now = NOW.getTime();
    assert.equal(isLiveSecret({ expiresAt: null }, now), true);
    assert.equal(isLiveSecret({ expiresAt: at(1) }, now), true);
    assert.equal(isLiveSecret({ expiresAt: NOW }, now), false);
    assert.equal(isLiveSecret({ expiresAt: now - 1 }, now), false);
  });
});

describe("keyRefusal", () => {
  const now = NOW.getTime();

  it("admits an enabled key that has not expired", () => {
    assert.equal(keyRefusal({ enabled: true, expiresAtMs: null }, now), null);
    assert.equal(keyRefusal({ enabled: true, expiresAtMs: now + 1 }, now), null);
  });

  it("refuses a disabled key first, then an expired one (at its expiry instant already)", () => {
    assert.equal(keyRefusal({ enabled: false, expiresAtMs: now - 1 }, now), "disabled");
    assert.equal(keyRefusal({ enabled: true, expiresAtMs: now }, now), "expired");
  });

  it("says why, naming the expiry instant", () => {
    assert.match(refusalMessage("disabled", null), /disabled.*enabled: true/);
    assert.match(refusalMessage("expired", now), /expired at 2026-11-24T10:00:00\.000Z/);
  });
});
