import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  blockContains,
  cachedClientAddressParser,
  mostSpecificBlock,
  parseBlock,
  parseClientAddress,
} from "./cidr";

describe("parseClientAddress", () => {
  it("keeps the canonical text and the parsed address together", () => {
    const client = parseClientAddress("::ffff:127.0.0.1");
    assert.equal(client.text, "127.0.0.1");
    assert.equal(client.parsed?.kind(), "ipv4");
    assert.equal(parseClientAddress("2001:0DB8::0001").text, "2001:db8::1");
  });

  it("keeps text it cannot read as it came, with no parsed form", () => {
    assert.deepEqual(parseClientAddress("10.1"), { text: "10.1", parsed: null });
    assert.deepEqual(parseClientAddress("unix socket"), { text: "unix socket", parsed: null });
  });
});

describe("cachedClientAddressParser", () => {
  it("answers as parseClientAddress does, parsing each text once", () => {
    const parse = cachedClientAddressParser();
    const first = parse("::ffff:127.0.0.1");
    assert.deepEqual(first, parseClientAddress("::ffff:127.0.0.1"));
    assert.equal(parse("::ffff:127.0.0.1"), first);
    assert.deepEqual(parse("10.1"), { text: "10.1", parsed: null });
    assert.ok(Object.isFrozen(first));
  });

  it("starts over once it holds its limit, so distinct addresses cannot grow it", () => {
    const parse = cachedClientAddressParser(2);
    const first = parse("192.0.2.1");
    parse("192.0.2.2");
    assert.equal(parse("192.0.2.1"), first);
    parse("192.0.2.3");
    assert.notEqual(parse("192.0.2.1"), first);
    assert.deepEqual(parse("192.0.2.1"), first);
  });
});

describe("mostSpecificBlock", () => {
  const entries = [
    "0.0.0.0/0",
    "10.0.0.0/8",
    "10.20.0.0/16",
    "10.20.30.40/32",
    "2001:db8::/32",
  ].map((cidrBlock) => ({ id: cidrBlock, block: parseBlock(cidrBlock) }));
  const admitting = (address: string) =>
    mostSpecificBlock(entries, parseClientAddress(address))?.id ?? null;

  it("picks the longest prefix that contains the address", () => {
    assert.equal(admitting("10.20.30.40"), "10.20.30.40/32");
    assert.equal(admitting("10.20.30.41"), "10.20.0.0/16");
    assert.equal(admitting("10.99.0.1"), "10.0.0.0/8");
    assert.equal(admitting("192.0.2.1"), "0.0.0.0/0");
  });

  it("matches within the address's own family only, an IPv4-mapped peer being IPv4", () => {
    assert.equal(admitting("2001:db8:1::1"), "2001:db8::/32");
    assert.equal(admitting("2001:db9::1"), null);
    assert.equal(admitting("::ffff:10.20.30.40"), "10.20.30.40/32");
  });

  it("admits nothing for a client address it could not read", () => {
    assert.equal(admitting("10.1"), null);
    assert.equal(mostSpecificBlock([], parseClientAddress("10.0.0.1")), null);
  });
});

describe("blockContains", () => {
  it("matches IPv4 addresses inside and outside a block", () => {
    assert.equal(blockContains("127.0.0.0/8", "127.0.0.2"), true);
    assert.equal(blockContains("127.0.0.0/8", "128.0.0.1"), false);
    assert.equal(blockContains("10.0.0.5/32", "10.0.0.5"), true);
    assert.equal(blockContains("10.0.0.5/32", "10.0.0.6"), false);
    assert.equal(blockContains("0.0.0.0/0", "203.0.113.9"), true);
  });

  it("matches IPv6 addresses inside and outside a block", () => {
    assert.equal(blockContains("2001:db8::/32", "2001:db8:1::1"), true);
    assert.equal(blockContains("2001:db8::/32", "2001:db9::1"), false);
    assert.equal(blockContains("::1/128", "::1"), true);
  });

  it("never matches across address families", () => {
    assert.equal(blockContains("::/0", "127.0.0.1"), false);
    assert.equal(blockContains("0.0.0.0/0", "::1"), false);
    assert.equal(blockContains("0.0.0.0/0", "2001:db8::1"), false);
  });

  it("treats an IPv4-mapped IPv6 peer as its IPv4 address", () => {
    assert.equal(blockContains("127.0.0.0/8", "::ffff:127.0.0.1"), true);
    assert.equal(blockContains("::/0", "::ffff:127.0.0.1"), false);
  });

  it("matches nothing for an address it cannot read", () => {
    assert.equal(blockContains("0.0.0.0/0", "10.1"), false);
    assert.equal(blockContains("0.0.0.0/0", "not an address"), false);
  });
});
