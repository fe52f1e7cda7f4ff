import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateSessionToken } from "../auth/session-token";
import { accessTokenDigest, generateAccessToken, isWellFormedAccessToken } from "./access-token";

describe("OAuth access tokens", () => {
  it("are kfa_ and 43 base64url characters (256 bits), different every time", () => {
    const tokens = new Set(Array.from({ length: 100 }, generateAccessToken));
    assert.equal(tokens.size, 100);
    for (const token of tokens) {
      assert.match(token, /^kfa_[A-Za-z0-9_-]{43}$/);
      assert.equal(isWellFormedAccessToken(token), true);
      assert.equal(Buffer.from(token.slice(4), "base64url").length, 32);
    }
  });

  it("tell malformed tokens and session tokens apart", () => {
    const token = generateAccessToken();
    for (const bad of [
      "",
      token.slice(0, -1),
      `${token}A`,
      token.replace("kfa_", "kfs_"),
      generateSessionToken(),
      `${token.slice(0, -1)}=`,
      ` ${token}`,
    ]) {
      assert.equal(isWellFormedAccessToken(bad), false, bad);
    }
  });

  it("are digested with the server secret: the digest depends on both, and is not the token", () => {
    const token = generateAccessToken();
    const digest = accessTokenDigest("a".repeat(32), token);
    assert.equal(digest.length, 32);
    assert.deepEqual(accessTokenDigest("a".repeat(32), token), digest);
    assert.notDeepEqual(accessTokenDigest("b".repeat(32), token), digest);
    assert.notDeepEqual(accessTokenDigest("a".repeat(32), generateAccessToken()), digest);
    assert.ok(!digest.toString("utf8").includes(token.slice(4)));
  });
});
