import { randomUUID } from "node:crypto";
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  type GraphQLInputType,
} from "graphql";
import type { FixtureIds } from "./world";

export interface HostileValue {
  label: string;
  /** `undefined` leaves the position out of the request. */
  value: unknown;
  /** The response must not contain this text (a marker, or a window of a long value). */
  mustNotEcho?: string;
}

/** Appears nowhere in keyfob: seeing it in a response means an input was echoed. */
export const MARKER = `fuzz-marker-${randomUUID()}`;

const base64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");
const echoed = (label: string, value: string, window = value): HostileValue => ({
  label,
  value,
  mustNotEcho: window,
});

/** Text that no field should store as given, or that probes an edge of its rules. */
function strings(): HostileValue[] {
  const big = (size: number) => `${MARKER}-${"x".repeat(size)}`;
  return [
    { label: "NUL", value: "a\u0000b" },
    { label: "only NUL", value: "\u0000" },
    { label: "lone high surrogate", value: "a\uD800b" },
    { label: "lone low surrogate", value: "\uDC00" },
    { label: "reversed surrogate pair", value: "\uDE00\uD83D" },
    { label: "empty", value: "" },
    { label: "whitespace only", value: " \t\n " },
    { label: "no-break and ideographic spaces", value: "\u00A0\u3000" },
    { label: "zero-width only", value: "\u200B\u200D\uFEFF" },
    { label: "right-to-left override", value: "invoice\u202Egpj.exe" },
    { label: "bidirectional isolate", value: "\u2067admin\u2069" },
    { label: "bell control", value: "a\u0007b" },
    { label: "line break inside", value: "first\nsecond" },
    { label: "C1 control", value: "a\u0085b" },
    { label: "line separator", value: "a\u2028b" },
    { label: "emoji with joiners", value: "🔑🏳️‍🌈👩‍💻" },
    { label: "combining marks", value: "Cafe\u0301 Z\u0351\u0337a\u0336lgo" },
    { label: "grows under NFC", value: "\u0958".repeat(40) },
    { label: "padded", value: "  padded name  " },
    { label: "65 characters", value: "p".repeat(65) },
    { label: "101 characters", value: "n".repeat(101) },
    { label: "251 emoji", value: "😀".repeat(251) },
    { label: "257 characters", value: "w".repeat(257) },
    echoed("1,001 characters", big(1_001), MARKER),
    echoed("60 kB", big(60_000), MARKER),
    echoed("1 MB", big(1_048_576), MARKER),
    echoed("marker", MARKER),
    echoed("SQL", `'); DROP TABLE users; -- ${MARKER}`, MARKER),
    echoed("HTML", `<script>alert("${MARKER}")</script>`, MARKER),
    { label: "format string", value: "%s%s%n%x" },
    { label: "escaped NUL text", value: "\\u0000" },
    { label: "path traversal", value: "../../etc/passwd" },
    { label: "__proto__", value: "__proto__" },
    { label: "number as text", value: "2147483648" },
    { label: "email with an override", value: "adm\u202Enimda@example.test" },
    { label: "email in capitals, padded", value: " FUZZ@EXAMPLE.TEST " },
    { label: "email with NUL", value: "fuzz\u0000@example.test" },
  ];
}

/** Global ids, cursors and addresses: malformed, foreign, of another type. */
function identifiers(own: FixtureIds, foreign: FixtureIds): HostileValue[] {
  const uuid = randomUUID();
  return [
    { label: "malformed id", value: "not-an-id" },
    { label: "id of a bad uuid", value: base64url("Organization:not-a-uuid") },
    { label: "id of an unknown type", value: base64url(`Invoice:${uuid}`) },
    { label: "id with padding", value: `${base64url(`Project:${uuid}`)}==` },
    { label: "id of nothing", value: base64url(`ApiKey:${uuid}`) },
    { label: "81-character id", value: "A".repeat(81) },
    ...Object.entries(foreign).map(([type, id]) => ({ label: `foreign ${type} id`, value: id })),
    ...Object.entries(own).map(([type, id]) => ({ label: `own ${type} id`, value: id })),
    { label: "own id padded", value: ` ${own.Organization} ` },
    { label: "forged cursor", value: "MXwtLS0t" },
    { label: "cursor far in the future", value: base64url(`999999999999999|${uuid}`) },
    { label: "cursor with 16 digits", value: base64url(`9999999999999999|${uuid}`) },
    { label: "negative cursor", value: base64url(`-1|${uuid}`) },
    { label: "IPv4-mapped IPv6", value: "::ffff:127.0.0.1" },
    { label: "IPv4-mapped IPv6 in hex", value: "::ffff:7f00:1" },
    { label: "zone id", value: "fe80::1%eth0" },
    { label: "encoded zone id", value: "fe80::1%25eth0" },
    { label: "/0", value: "0.0.0.0/0" },
    { label: "IPv6 /0", value: "::/0" },
    { label: "/33", value: "10.0.0.0/33" },
    { label: "IPv6 /129", value: "2001:db8::/129" },
    { label: "host bits set", value: "10.0.0.1/8" },
    { label: "negative prefix", value: "10.0.0.0/-1" },
    { label: "empty prefix", value: "10.0.0.0/" },
    { label: "two prefixes", value: "10.0.0.0/8/16" },
    { label: "leading zero", value: "010.0.0.1" },
    { label: "three octets", value: "10.0.1" },
    { label: "octet 256", value: "256.1.1.1" },
    { label: "bracketed IPv6", value: "[::1]" },
    { label: "unspecified", value: "::" },
    { label: "host name", value: "localhost" },
  ];
}

const INTS: HostileValue[] = [
  { label: "0", value: 0 },
  { label: "-1", value: -1 },
  { label: "1", value: 1 },
  { label: "100", value: 100 },
  { label: "101", value: 101 },
  { label: "Int max", value: 2_147_483_647 },
  { label: "past Int max", value: 2_147_483_648 },
  { label: "Int min", value: -2_147_483_648 },
  { label: "past Int min", value: -2_147_483_649 },
  { label: "fraction", value: 1.5 },
  { label: "1e308", value: 1e308 },
  { label: "past safe integers", value: 2 ** 53 + 2 },
];

const WRONG_TYPES: HostileValue[] = [
  { label: "absent", value: undefined },
  { label: "null", value: null },
  { label: "true", value: true },
  { label: "integer", value: 42 },
  { label: "string", value: "ORG_OWNER" },
  { label: "empty object", value: {} },
  { label: "object", value: { value: MARKER }, mustNotEcho: MARKER },
  { label: "__proto__ object", value: JSON.parse('{"__proto__":{"polluted":true}}') },
  { label: "list of one string", value: ["x"] },
  { label: "empty list", value: [] },
];

/** Date-times at and past the edges of what the scalar, JavaScript and Postgres hold. */
const DATE_TIMES: HostileValue[] = [
  { label: "year 0000", value: "0000-01-01T00:00:00Z" },
  { label: "year 9999", value: "9999-12-31T23:59:59.999Z" },
  { label: "year 10000", value: "+010000-01-01T00:00:00Z" },
  { label: "30 February", value: "2026-02-30T00:00:00Z" },
  { label: "date without time", value: "2026-01-01" },
  { label: "no time zone", value: "2026-01-01T00:00:00" },
  { label: "nanoseconds", value: "2030-01-01T00:00:00.123456789Z" },
  { label: "epoch milliseconds", value: 1_900_000_000_000 },
  { label: "now, as a word", value: "now" },
];

/** Values for a list position: its items' kinds are covered by the item position. */
function lists(): HostileValue[] {
  return [
    echoed("90 kB string for a list", `${MARKER}${"A".repeat(90_000)}`, MARKER),
    { label: "list of null", value: [null] },
    { label: "1,000 nulls", value: Array.from({ length: 1_000 }, () => null) },
    { label: "1,000 strings", value: Array.from({ length: 1_000 }, (_, i) => `v${i}`) },
    { label: "201 empty objects", value: Array.from({ length: 201 }, () => ({})) },
    { label: "nested lists", value: [[[]]] },
  ];
}

/**
 * The hostile values for one position, chosen by its type: every position gets the wrong types;
 * text positions (String, ID) the text, id, cursor and address values; Int positions the
 * numbers; DateTime positions edge and malformed instants and the text values; lists the list
 * values; enums unknown and mis-cased values.
 */
export function hostileValuesFor(
  type: GraphQLInputType,
  own: FixtureIds,
  foreign: FixtureIds,
): HostileValue[] {
  const nullable = getNullableType(type);
  const named = getNamedType(type);
  const values = [...WRONG_TYPES];
  if (isListType(nullable)) return [...values, ...lists()];
  if (isInputObjectType(named)) return values;
  if (isEnumType(named)) {
    const first = named.getValues()[0].name;
    return [
      ...values,
      { label: "unknown enum value", value: "NOT_A_VALUE" },
      { label: "lower-case enum value", value: first.toLowerCase() },
      { label: "enum value padded", value: ` ${first} ` },
      echoed("enum value with a marker", `${first}${MARKER}`, MARKER),
    ];
  }
  switch (named.name) {
    case "String":
    case "ID":
      return [...values, ...strings(), ...identifiers(own, foreign)];
    case "Int":
    case "Float":
      return [...values, ...INTS, { label: "numeric string", value: "10" }];
    case "Boolean":
      return [...values, { label: "string true", value: "true" }, { label: "1", value: 1 }];
    case "DateTime":
      return [...values, ...DATE_TIMES, ...strings()];
    default:
      return [...values, ...strings()];
  }
}
