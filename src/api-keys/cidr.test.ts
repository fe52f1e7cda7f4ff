import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  normalizeAddress,
  parseAccessListInput,
  parseAddressEntry,
  parseBlockEntry,
  parseListedEntry,
} from "./cidr";

describe("normalizeAddress", () => {
  it("keeps a canonical IPv4 address as it is", () => {
    assert.equal(normalizeAddress("203.0.113.7"), "203.0.113.7");
  });

  it("writes IPv6 addresses in their compressed lower-case form (RFC 5952)", () => {
    assert.equal(normalizeAddress("2001:0DB8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
    assert.equal(normalizeAddress("::1"), "::1");
    assert.equal(normalizeAddress("1:0:0:0:1:0:0:0"), "1::1:0:0:0");
  });

  it("reads an IPv4-mapped IPv6 address as the IPv4 address a dual-stack socket means", () => {
    assert.equal(normalizeAddress("::ffff:127.0.0.1"), "127.0.0.1");
    assert.equal(normalizeAddress("::FFFF:7f00:2"), "127.0.0.2");
  });

  it("reads an IPv4-compatible IPv6 address (::a.b.c.d, deprecated) as IPv4 too", () => {
    assert.equal(normalizeAddress("::102:304"), "1.2.3.4");
    assert.equal(normalizeAddress("::1.2.3.4"), "1.2.3.4");
    assert.equal(normalizeAddress("::1:0"), "0.1.0.0");
  });

  it("keeps ::, ::1 and other addresses of ::/96 with a zero seventh group as IPv6", () => {
    assert.equal(normalizeAddress("::"), "::");
    assert.equal(normalizeAddress("::1"), "::1");
    assert.equal(normalizeAddress("::100"), "::100");
    assert.equal(normalizeAddress("::1:0:0"), "::1:0:0");
  });

  it("ignores surrounding whitespace", () => {
    assert.equal(normalizeAddress(" 10.0.0.1 "), "10.0.0.1");
  });

  it("refuses shorthand, octal-looking, hexadecimal, out-of-range and zoned forms", () => {
    for (const text of [
      "10.1",
      "10.0.1",
      "010.0.0.1",
      "10.0.0.01",
      "0x0a.0.0.1",
      "256.0.0.1",
      "10.0.0.1.5",
      "167772161",
      "fe80::1%eth0",
      "1:2:3:4:5:6:7:8:9",
      "",
      "localhost",
    ]) {
      assert.equal(normalizeAddress(text), null, text);
    }
  });
});

describe("parseAddressEntry", () => {
  it("stores a single IPv4 address as a /32", () => {
    assert.deepEqual(parseAddressEntry("192.0.2.10"), {
      ok: true,
      cidrBlock: "192.0.2.10/32",
      isSingleAddress: true,
    });
  });

  it("stores a single IPv6 address as a /128, canonically written", () => {
    assert.deepEqual(parseAddressEntry("2001:DB8:0:0::10"), {
      ok: true,
      cidrBlock: "2001:db8::10/128",
      isSingleAddress: true,
    });
  });

  it("stores an IPv4-mapped IPv6 address as the IPv4 /32", () => {
    assert.deepEqual(parseAddressEntry("::ffff:192.0.2.10"), {
      ok: true,
      cidrBlock: "192.0.2.10/32",
      isSingleAddress: true,
    });
  });

  it("refuses a block or a shorthand on the ipAddress field", () => {
    for (const text of ["10.0.0.0/8", "10.1", "2001:db8::/32"]) {
      const parsed = parseAddressEntry(text);
      assert.equal(parsed.ok, false, text);
      assert.equal(parsed.ok === false && parsed.field, "ipAddress", text);
    }
  });
});

describe("parseBlockEntry", () => {
  it("accepts canonical IPv4 and IPv6 blocks as they are", () => {
    for (const [text, cidrBlock] of [
      ["10.0.0.0/8", "10.0.0.0/8"],
      ["203.0.113.0/24", "203.0.113.0/24"],
      ["203.0.113.7/32", "203.0.113.7/32"],
      ["0.0.0.0/0", "0.0.0.0/0"],
      ["2001:db8::/32", "2001:db8::/32"],
      ["2001:0DB8::/32", "2001:db8::/32"],
      ["::/0", "::/0"],
      ["::1/128", "::1/128"],
    ]) {
      assert.deepEqual(parseBlockEntry(text), { ok: true, cidrBlock, isSingleAddress: false });
    }
  });

  it("refuses a block with host bits set and suggests the canonical block", () => {
    const parsed = parseBlockEntry("10.0.0.1/8");
    assert.equal(parsed.ok, false);
    assert.equal(parsed.ok === false && parsed.field, "cidrBlock");
    assert.match(parsed.ok === false ? parsed.message : "", /10\.0\.0\.0\/8/);

    const v6 = parseBlockEntry("2001:db8::1/32");
    assert.match(v6.ok === false ? v6.message : "", /2001:db8::\/32/);
  });

  it("reads an IPv4-mapped or -compatible block of /96 or longer as the IPv4 block inside", () => {
    assert.deepEqual(parseBlockEntry("::ffff:10.0.0.0/104"), {
      ok: true,
      cidrBlock: "10.0.0.0/8",
      isSingleAddress: false,
    });
    assert.deepEqual(parseBlockEntry("::ffff:0:0/96"), {
      ok: true,
      cidrBlock: "0.0.0.0/0",
      isSingleAddress: false,
    });
    assert.deepEqual(parseBlockEntry("::1:0/112"), {
      ok: true,
      cidrBlock: "0.1.0.0/16",
      isSingleAddress: false,
    });
    assert.equal(parseBlockEntry("::ffff:1.2.3.4/129").ok, false);
    const hostBits = parseBlockEntry("::ffff:10.0.0.1/104");
    assert.match(hostBits.ok === false ? hostBits.message : "", /10\.0\.0\.0\/8/);
  });

  it("reads a shorter prefix on such an address as an IPv6 block", () => {
    assert.deepEqual(parseBlockEntry("::/80"), {
      ok: true,
      cidrBlock: "::/80",
      isSingleAddress: false,
    });
    const hostBits = parseBlockEntry("::ffff:0:0/80");
    assert.equal(hostBits.ok, false);
    assert.match(hostBits.ok === false ? hostBits.message : "", /::\/80/);
  });

  it("accepts every prefix length from 0 to 32 (IPv4) and 0 to 128 (IPv6)", () => {
    assert.equal(parseBlockEntry("0.0.0.0/0").ok, true);
    assert.equal(parseBlockEntry("255.255.255.255/32").ok, true);
    assert.equal(parseBlockEntry("::/0").ok, true);
    assert.equal(parseBlockEntry("ffff::1/128").ok, true);
  });

  it("refuses prefixes beyond the family's width, negative or missing", () => {
    for (const text of [
      "10.0.0.0/33",
      "10.0.0.0/-1",
      "10.0.0.0/",
      "10.0.0.0",
      "/8",
      "::/129",
      "2001:db8::/1000",
      "10.0.0.0/8/8",
      "10.0.0.0/8.0",
      "10.0.0.0/ 8",
    ]) {
      const parsed = parseBlockEntry(text);
      assert.equal(parsed.ok, false, text);
      assert.equal(parsed.ok === false && parsed.field, "cidrBlock", text);
    }
  });

  it("refuses a shorthand network address ('10.1' is not 10.0.0.1 here)", () => {
    assert.equal(parseBlockEntry("10.1/16").ok, false);
    assert.equal(parseBlockEntry("10/8").ok, false);
  });
});

describe("parseAccessListInput", () => {
  it("needs exactly one of ipAddress and cidrBlock", () => {
    for (const input of [
      {},
      { ipAddress: null, cidrBlock: null },
      { ipAddress: "10.0.0.1", cidrBlock: "10.0.0.0/8" },
    ]) {
      const parsed = parseAccessListInput(input);
      assert.equal(parsed.ok, false, JSON.stringify(input));
      assert.equal(parsed.ok === false && parsed.field, null);
    }
  });

  it("parses whichever one is given", () => {
    assert.deepEqual(parseAccessListInput({ ipAddress: "10.0.0.1" }), {
      ok: true,
      cidrBlock: "10.0.0.1/32",
      isSingleAddress: true,
    });
    assert.deepEqual(parseAccessListInput({ cidrBlock: "10.0.0.0/8", ipAddress: null }), {
      ok: true,
      cidrBlock: "10.0.0.0/8",
      isSingleAddress: false,
    });
  });
});

describe("parseListedEntry", () => {
  it("reads an address as listed (ipAddress) into its /32 or /128 block", () => {
    assert.equal(parseListedEntry("127.0.0.1"), "127.0.0.1/32");
    assert.equal(parseListedEntry("2001:db8::1"), "2001:db8::1/128");
  });

  it("reads a block as listed (cidrBlock), including a single address's /32 or /128", () => {
    assert.equal(parseListedEntry("10.0.0.0/8"), "10.0.0.0/8");
    assert.equal(parseListedEntry("127.0.0.1/32"), "127.0.0.1/32");
    assert.equal(parseListedEntry("2001:DB8::/32"), "2001:db8::/32");
  });

  it("names an IPv4-compatible entry the way Postgres lists it (::1.2.3.4)", () => {
    const stored = parseAddressEntry("::102:304");
    assert.equal(stored.ok && stored.cidrBlock, "1.2.3.4/32");
    assert.equal(parseListedEntry("::1.2.3.4"), "1.2.3.4/32");
    assert.equal(parseListedEntry("::0.1.0.0/112"), "0.1.0.0/16");
  });

  it("returns null for anything that could not be on a list", () => {
    for (const text of ["10.0.0.1/8", "10.1", "nonsense", "", "10.0.0.0/33"]) {
      assert.equal(parseListedEntry(text), null, text);
    }
  });
});
