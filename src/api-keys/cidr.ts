import * as ipaddr from "ipaddr.js";

/**
 * Access-list addresses and blocks: parsing, canonical form and matching, with ipaddr.js.
 * Pure, so every rule here is unit tested; Postgres's `cidr` type is the stored form.
 */

export type ParsedEntry =
  | { ok: true; cidrBlock: string; isSingleAddress: boolean }
  | { ok: false; field: "ipAddress" | "cidrBlock" | null; message: string };

/** Strict address forms only: ipaddr.js would also read `10.1` as 10.0.0.1. */
function parseStrictAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!text.includes(":") || !ipaddr.IPv6.isValid(text)) return null;
  const address = ipaddr.IPv6.parse(text);
  if (address.zoneId) return null;
  // An IPv4-mapped IPv6 address is how a dual-stack socket reports an IPv4 peer.
  return address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}

function maxPrefix(address: ipaddr.IPv4 | ipaddr.IPv6): number {
  return address.kind() === "ipv4" ? 32 : 128;
}

/** The canonical text of a single address, as clients see it and as logs and messages print it. */
export function normalizeAddress(text: string): string | null {
  const address = parseStrictAddress(text.trim());
  return address ? address.toString() : null;
}

export function parseAddressEntry(text: string): ParsedEntry {
  const address = parseStrictAddress(text.trim());
  if (!address) {
    return { ok: false, field: "ipAddress", message: "is not an IPv4 or IPv6 address" };
  }
  return {
    ok: true,
    cidrBlock: `${address.toString()}/${maxPrefix(address)}`,
    isSingleAddress: true,
  };
}

/** A block must be written canonically: `10.0.0.1/8` is refused with a hint at `10.0.0.0/8`. */
export function parseBlockEntry(text: string): ParsedEntry {
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  const address = slash > 0 ? parseStrictAddress(trimmed.slice(0, slash)) : null;
  const prefixText = slash > 0 ? trimmed.slice(slash + 1) : "";
  if (!address || !/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix(address)) {
    return {
      ok: false,
      field: "cidrBlock",
      message: "is not a CIDR block such as 203.0.113.0/24 or 2001:db8::/32",
    };
  }
  const prefix = Number(prefixText);
  const network =
    address.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  const canonical = `${network.toString()}/${prefix}`;
  if (network.toString() !== address.toString()) {
    return {
      ok: false,
      field: "cidrBlock",
      message: `has bits set after the /${prefix} prefix: did you mean ${canonical}?`,
    };
  }
  return { ok: true, cidrBlock: canonical, isSingleAddress: false };
}

/** An access-list input: exactly one of `ipAddress` and `cidrBlock`. */
export function parseAccessListInput(input: {
  ipAddress?: string | null;
  cidrBlock?: string | null;
}): ParsedEntry {
  const hasAddress = input.ipAddress !== undefined && input.ipAddress !== null;
  const hasBlock = input.cidrBlock !== undefined && input.cidrBlock !== null;
  if (hasAddress === hasBlock) {
    return { ok: false, field: null, message: "Give exactly one of ipAddress or cidrBlock." };
  }
  return hasAddress ? parseAddressEntry(input.ipAddress!) : parseBlockEntry(input.cidrBlock!);
}

/** An entry as listed (an address or a block), as `removeApiKeyAccessListEntry` receives it. */
export function parseListedEntry(text: string): string | null {
  const parsed = text.includes("/") ? parseBlockEntry(text) : parseAddressEntry(text);
  return parsed.ok ? parsed.cidrBlock : null;
}

/** Whether `address` (canonical text) lies inside `cidrBlock` (canonical text). */
export function blockContains(cidrBlock: string, address: string): boolean {
  const parsedAddress = parseStrictAddress(address);
  if (!parsedAddress) return false;
  const [network, prefix] = ipaddr.parseCIDR(cidrBlock);
  return network.kind() === parsedAddress.kind() && parsedAddress.match(network, prefix);
}
