import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MAX_STRING_LENGTH,
  checkDisplayText,
  codePointLength,
  encodingProblem,
  normalizeDisplayText,
} from "./text";

const problemOf = (value: string, max = 100) => {
  const checked = checkDisplayText(value, max);
  return checked.ok ? null : checked.problem;
};

describe("encodingProblem", () => {
  it("refuses the NUL character anywhere in a string", () => {
    assert.match(encodingProblem("a\u0000b") ?? "", /NUL/);
    assert.match(encodingProblem("\u0000") ?? "", /NUL/);
  });

  it("refuses a lone high or low surrogate, but not a well-formed pair", () => {
    assert.match(encodingProblem("a\uD800b") ?? "", /surrogate/);
    assert.match(encodingProblem("\uDC00") ?? "", /surrogate/);
    assert.match(encodingProblem("😀\uD83D") ?? "", /surrogate/);
    assert.equal(encodingProblem("😀 \uD83D\uDE00"), null);
  });

  it("refuses a string over the ceiling that every argument shares", () => {
    assert.equal(encodingProblem("x".repeat(MAX_STRING_LENGTH)), null);
    assert.match(encodingProblem("x".repeat(MAX_STRING_LENGTH + 1)) ?? "", /at most 1000/);
  });

  it("takes control and bidirectional characters: those are rules of display text only", () => {
    assert.equal(encodingProblem("a\tb\u202Ec"), null);
  });
});

describe("checkDisplayText", () => {
  it("stores text NFC-normalised and trimmed", () => {
    assert.deepEqual(checkDisplayText("  Cafe\u0301 Noir \t", 100), {
      ok: true,
      value: "Café Noir",
    });
    assert.equal(normalizeDisplayText("\u00A0\uFEFFx\u3000"), "x");
  });

  it("keeps emoji, combining marks, joiners and right-to-left scripts", () => {
    for (const text of ["🔑 deploy", "🏳️‍🌈", "שלום עולם", "مفتاح", "e\u0301", "a\u200Db"]) {
      assert.equal(problemOf(text), null, JSON.stringify(text));
    }
  });

  it("refuses C0 and C1 control characters and line breaks inside the text", () => {
    for (const text of [
      "a\u0007b",
      "a\tb",
      "a\nb",
      "a\u007Fb",
      "a\u0085b",
      "a\u009Bb",
      "a\u2028b",
    ]) {
      assert.equal(
        problemOf(text),
        "must be one line without control characters",
        JSON.stringify(text),
      );
    }
  });

  it("refuses every bidirectional embedding, override and isolate character", () => {
    for (const code of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      assert.match(problemOf(`key${String.fromCodePoint(code)}yek`) ?? "", /bidirectional/);
    }
    assert.equal(problemOf("a\u200Fb"), null, "a right-to-left mark reorders nothing by itself");
  });

  it("refuses text with nothing visible once normalised", () => {
    for (const text of ["", " ", " \t\n ", "\u00A0\u2003", "\u200B\u200D", "\uFEFF", "\u0301"]) {
      assert.equal(problemOf(text), "must not be blank", JSON.stringify(text));
    }
  });

  it("counts the length in code points of the normalised form", () => {
    assert.equal(problemOf("😀".repeat(250), 250), null);
    assert.equal(problemOf("😀".repeat(251), 250), "must be 1 to 250 characters");
    assert.equal(problemOf(`  ${"x".repeat(64)}  `, 64), null, "trimmed before it is counted");
    // U+0958 has no composed form: NFC turns it into two code points, one past the limit.
    assert.equal(problemOf("\u0958".repeat(33), 64), "must be 1 to 64 characters");
    assert.equal(codePointLength("a😀e\u0301"), 4);
  });

  it("refuses what no string may hold before any other rule", () => {
    assert.match(problemOf("  \u0000  ") ?? "", /NUL/);
    assert.match(problemOf("name\uDBFF") ?? "", /surrogate/);
  });
});
