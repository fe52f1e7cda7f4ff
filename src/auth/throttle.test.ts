import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AuthThrottle, THROTTLE, TooManyFailures } from "./throttle";

describe("AuthThrottle in memory", () => {
  it("answers a caller with no failures at once, without a promise", () => {
    const throttle = new AuthThrottle(undefined);
    assert.equal(throttle.assertAllowed("192.0.2.1", "key:abcdefgh"), undefined);
    assert.equal(throttle.assertAllowed("192.0.2.1", null), undefined);
  });

  it("asks its counts once the address or the subject has failed, and blocks past the limit", async () => {
    const throttle = new AuthThrottle(undefined);
    await throttle.recordFailure("192.0.2.2", "key:abcdefgh");
    // The subject failed, from another address too; the address failed, with another subject.
    const bySubject = throttle.assertAllowed("192.0.2.3", "key:abcdefgh");
    const byAddress = throttle.assertAllowed("192.0.2.2", "key:zyxwvuts");
    assert.ok(bySubject instanceof Promise && byAddress instanceof Promise);
    await bySubject;
    await byAddress;
    assert.equal(throttle.assertAllowed("192.0.2.3", "key:zyxwvuts"), undefined);

    await assert.rejects(async () => {
      for (let i = 0; i < THROTTLE.failuresPerSubject; i++) {
        await throttle.recordFailure("192.0.2.2", "key:abcdefgh");
      }
    }, TooManyFailures);
    await assert.rejects(
      async () => throttle.assertAllowed("192.0.2.4", "key:abcdefgh"),
      TooManyFailures,
    );
  });
});
