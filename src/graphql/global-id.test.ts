import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fromGlobalId, toGlobalId, uuidOf, type NodeTypeName } from "./global-id";

const UUID = "0b6f5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
const TYPES: NodeTypeName[] = ["User", "Organization", "Project", "ApiKey", "ApiKeySecret"];
const base64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");

describe("toGlobalId and fromGlobalId", () => {
  it("a global id decodes to the type and uuid it was made from, for every node type", () => {
    for (const type of TYPES) {
      assert.deepEqual(fromGlobalId(toGlobalId(type, UUID)), { type, uuid: UUID });
    }
  });

  it("is opaque and URL-safe", () => {
    const id = toGlobalId("Organization", UUID);
    assert.match(id, /^[A-Za-z0-9_-]+$/);
    assert.equal(id.includes(UUID), false);
    assert.equal(id.includes("Organization"), false);
  });

  it("gives the same row different ids under different types", () => {
    assert.notEqual(toGlobalId("User", UUID), toGlobalId("Organization", UUID));
  });
});

describe("uuidOf", () => {
  it("returns the uuid of a global id of the expected type", () => {
    assert.equal(uuidOf(toGlobalId("Project", UUID), "Project"), UUID);
  });

  it("returns null for a global id of another type", () => {
    assert.equal(uuidOf(toGlobalId("Organization", UUID), "Project"), null);
    assert.equal(uuidOf(toGlobalId("ApiKey", UUID), "User"), null);
  });

  it("returns null for garbage", () => {
    assert.equal(uuidOf("garbage", "User"), null);
    assert.equal(uuidOf("", "User"), null);
  });
});

describe("fromGlobalId rejects what it did not make", () => {
  it("returns null for an empty, non-base64 or garbage id", () => {
    for (const id of ["", "garbage", "!!!!", "%%%", "====", UUID]) {
      assert.equal(fromGlobalId(id), null, id);
    }
  });

  it("returns null for an unknown type name or a differently cased one", () => {
    for (const type of ["Widget", "user", "ORGANIZATION", "", "__proto__", "constructor"]) {
      assert.equal(fromGlobalId(base64url(`${type}:${UUID}`)), null, type);
    }
  });

  it("returns null when the uuid part is not a canonical lowercase uuid", () => {
    for (const uuid of [
      "",
      "42",
      "not-a-uuid",
      UUID.toUpperCase(),
      UUID.replace(/-/g, ""),
      `{${UUID}}`,
      `${UUID} `,
      `${UUID}\n`,
      `${UUID}0`,
      UUID.slice(1),
      "-".repeat(36),
      `${UUID}:${UUID}`,
    ]) {
      assert.equal(fromGlobalId(base64url(`User:${uuid}`)), null, JSON.stringify(uuid));
    }
  });

  it("returns null without a separator", () => {
    assert.equal(fromGlobalId(base64url(`User${UUID}`)), null);
  });

  it("returns null for a cursor passed as a global id", () => {
    assert.equal(fromGlobalId(base64url(`1700000000000|${UUID}`)), null);
  });

  it("returns null for non-canonical encodings of a valid id", () => {
    const id = toGlobalId("User", UUID);
    const standardBase64 = Buffer.from(`User:${UUID}`, "utf8").toString("base64");
    for (const variant of [
      `${id}=`,
      `${id}==`,
      ` ${id}`,
      `${id}\n`,
      `${id.slice(0, 4)}.${id.slice(4)}`,
      standardBase64,
    ]) {
      assert.equal(fromGlobalId(variant), null, JSON.stringify(variant));
    }
  });

  it("returns null for an overlong id", () => {
    assert.equal(fromGlobalId(toGlobalId("User", UUID) + "A".repeat(80)), null);
    assert.equal(fromGlobalId("A".repeat(10_000)), null);
  });

  it("returns null for a value that is not a string", () => {
    assert.equal(fromGlobalId(undefined as unknown as string), null);
    assert.equal(fromGlobalId(42 as unknown as string), null);
  });
});
