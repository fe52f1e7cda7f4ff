import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { containsPattern } from "./api-key-filter";

describe("containsPattern", () => {
  it("wraps the term in wildcards", () => {
    assert.equal(containsPattern("deploy"), "%deploy%");
  });

  it("escapes LIKE's wildcards and its escape character, so they match themselves", () => {
    assert.equal(containsPattern("100%"), "%100\\%%");
    assert.equal(containsPattern("a_b"), "%a\\_b%");
    assert.equal(containsPattern("C:\\ci"), "%C:\\\\ci%");
  });
});
