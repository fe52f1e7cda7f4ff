import * as ipaddr from "ipaddr.js";

/**
 * Access-list addresses and blocks: parsing, canonical form and matching, with ipaddr.js.
 * Pure, so every rule here is unit tested; Postgres's `cidr` type is the stored form.
 */

export type ParsedEntry =
  | { ok: true; cidrBlock: string; isSingleAddress: boolean }
  | { ok: false; field: "ipAddress" | "cidrBlock" | null; message: string };

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * A strictly parsed address. An IPv6 address that embeds an IPv4 one is read as that IPv4 address
 * (`address`), with the IPv6 form kept in `ipv6` for reading a prefix written against it.
 */
interface StrictAddress {
  address: Address;
  ipv6: ipaddr.IPv6 | null;
}

/** Strict address forms only: ipaddr.js would also read `10.1` as 10.0.0.1. */
function parseStrict(text: string): StrictAddress | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return { address: ipaddr.IPv4.parse(text), ipv6: null };
  }
  if (!text.includes(":") || !ipaddr.IPv6.isValid(text)) return null;
  const address = ipaddr.IPv6.parse(text);
  if (address.zoneId) return null;
  const embedded = embeddedIPv4(address);
  return embedded ? { address: embedded, ipv6: address } : { address, ipv6: null };
}

function parseStrictAddress(text: string): Address | null {
  return parseStrict(text)?.address ?? null;
}

/**
 * The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`, how a dual-stack socket reports an
 * IPv4 peer) or IPv4-compatible (`::a.b.c.d`, deprecated) IPv6 address. Both are read as IPv4:
 * Postgres lists an IPv4-compatible address in dotted form, and ipaddr.js reads that form back as
 * IPv4-mapped, so kept as IPv6 such an entry could not be named again to remove it.
 */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  if (address.isIPv4MappedAddress()) return address.toIPv4Address();
  const [a, b, c, d, e, f, high, low] = address.parts;
  if (a || b || c || d || e || f || !high) return null;
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function maxPrefix(address: Address): number {
  return address.kind() === "ipv4" ? 32 : 128;
}

/** The canonical text of a single address, as clients see it and as logs and messages print it. */
export function normalizeAddress(text: string): string | null {
  const address = parseStrictAddress(text.trim());
  return address ? address.toString() : null;
}

/**
 * A request's client address, parsed once when the request arrives and carried to every check
 * that needs it, so the access-list match does not parse it again.
 */
export interface ClientAddress {
  /** Canonical text (`normalizeAddress`); the text as received when it is not an address. */
  readonly text: string;
  /** Null when the text is not an address: such a client matches no block. */
  readonly parsed: Address | null;
}

export function parseClientAddress(text: string): ClientAddress {
  const parsed = parseStrictAddress(text.trim());
  return { text: parsed ? parsed.toString() : text, parsed };
}

/**
 * `parseClientAddress` with the answers kept: a service sees the same few addresses (its
 * clients, its proxies) request after request. At most `maxEntries` are kept; when full, the
 * cache starts over, so a flood of distinct addresses costs what no cache would.
 */
export function cachedClientAddressParser(maxEntries = 10_000): (text: string) => ClientAddress {
  const known = new Map<string, ClientAddress>();
  return (text) => {
    let address = known.get(text);
    if (address === undefined) {
      if (known.size >= maxEntries) known.clear();
      address = Object.freeze(parseClientAddress(text));
      known.set(text, address);
    }
    return address;
  };
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
  const parsed = slash > 0 ? parseStrict(trimmed.slice(0, slash)) : null;
  const prefixText = slash > 0 ? trimmed.slice(slash + 1) : "";
  let address: Address | null = parsed?.address ?? null;
  let prefix = Number(prefixText);
  if (parsed?.ipv6) {
    // Written as IPv6: the prefix counts IPv6 bits; only a /96 or longer stays inside the IPv4 part.
    if (prefix >= 96) prefix -= 96;
    else address = parsed.ipv6;
  }
  if (!address || !/^\d{1,3}$/.test(prefixText) || prefix > maxPrefix(address)) {
    return {
      ok: false,
      field: "cidrBlock",
      message: "is not a CIDR block such as 203.0.113.0/24 or 2001:db8::/32",
    };
  }
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

/** A block parsed once, for matching many addresses against it. */
export interface ParsedBlock {
  readonly network: ipaddr.IPv4 | ipaddr.IPv6;
  readonly prefix: number;
}

/** Parses a canonical block; by family, since ipaddr.parseCIDR tries IPv6 first and throws. */
export function parseBlock(cidrBlock: string): ParsedBlock {
  const [network, prefix] = cidrBlock.includes(":")
    ? ipaddr.IPv6.parseCIDR(cidrBlock)
    : ipaddr.IPv4.parseCIDR(cidrBlock);
  return { network, prefix };
}

/**
 * The entry that admits `client`: the most specific block containing it (longest prefix), so
 * usage is counted where an operator expects it. Null when no entry contains the address.
 */
export function mostSpecificBlock<Entry extends { block: ParsedBlock }>(
  entries: readonly Entry[],
  client: ClientAddress,
): Entry | null {
  const parsedAddress = client.parsed;
  if (!parsedAddress) return null;
  const kind = parsedAddress.kind();
  let best: Entry | null = null;
  for (const entry of entries) {
    const { network, prefix } = entry.block;
    if (network.kind() !== kind || (best && prefix <= best.block.prefix)) continue;
    if (parsedAddress.match(network, prefix)) best = entry;
  }
  return best;
}
