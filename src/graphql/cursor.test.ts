import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeCursor, encodeCursor } from "./cursor";

const ID = "0b6f5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
const base64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");

describe("encodeCursor and decodeCursor", () => {
  it("a cursor decodes to the position it was made from", () => {
    const position = { createdAt: new Date("2024-05-06T07:08:09.123Z"), id: ID };
    assert.deepEqual(decodeCursor(encodeCursor(position)), position);
  });

  it("keeps millisecond precision, including the epoch itself", () => {
    for (const createdAt of [new Date(0), new Date(1), new Date(1_700_000_000_999)]) {
      assert.equal(
        decodeCursor(encodeCursor({ createdAt, id: ID }))?.createdAt.getTime(),
        createdAt.getTime(),
      );
    }
  });

  it("is opaque: URL-safe and without the raw id", () => {
    const cursor = encodeCursor({ createdAt: new Date(), id: ID });
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.equal(cursor.includes(ID), false);
  });

  it("the same position always gives the same cursor", () => {
    const at = new Date("2024-01-01T00:00:00Z");
    assert.equal(
      encodeCursor({ createdAt: at, id: ID }),
      encodeCursor({ createdAt: new Date(at), id: ID }),
    );
  });
});

describe("decodeCursor rejects what it did not make", () => {
  it("returns null for an empty or non-base64 cursor", () => {
    for (const cursor of ["", "!!!!", "not a cursor", "%%%"]) {
      assert.equal(decodeCursor(cursor), null, cursor);
    }
  });

  it("returns null for a cursor whose content is not a timestamp and an id", () => {
    for (const content of [
      `${ID}`,
      `1700000000000`,
      `1700000000000|`,
      `|${ID}`,
      `-1|${ID}`,
      `1.5|${ID}`,
      `abc|${ID}`,
      `1700000000000|${ID}|extra`,
      `1700000000000 |${ID}`,
      `1700000000000|${ID.toUpperCase()}`,
      `1700000000000|${ID.slice(1)}`,
      `1700000000000|${ID}0`,
      `1700000000000|${ID}\n`,
    ]) {
      assert.equal(decodeCursor(base64url(content)), null, content);
    }
  });

  it("returns null for a global id passed as a cursor", () => {
    assert.equal(decodeCursor(base64url(`Organization:${ID}`)), null);
  });

  it("returns null for a timestamp longer than fifteen digits", () => {
    assert.equal(decodeCursor(base64url(`1234567890123456|${ID}`)), null);
  });

  it("returns null for an overlong cursor without decoding it", () => {
    const padded = encodeCursor({ createdAt: new Date(0), id: ID }) + "A".repeat(100);
    assert.equal(decodeCursor(padded), null);
    assert.equal(decodeCursor("A".repeat(10_000)), null);
  });

  it("returns null for an id that has a uuid's length but not its shape", () => {
    for (const id of ["-".repeat(36), "a".repeat(36), `${ID.slice(0, 35)}-`]) {
      assert.equal(decodeCursor(base64url(`1700000000000|${id}`)), null, id);
    }
  });

  it("decodes every accepted cursor to a valid date", () => {
    const position = decodeCursor(base64url(`999999999999999|${ID}`));
    assert.notEqual(position, null);
    assert.equal(Number.isNaN(position!.createdAt.getTime()), false);
  });
});
