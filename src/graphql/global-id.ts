/**
 * Relay global ids: opaque to clients, they carry the type name and the row's uuid
 * (`base64url("Organization:0b6f…")`). Decoding is strict, so a malformed or mistyped id
 * reads exactly like an unknown one.
 */
export type NodeTypeName =
  "User" | "Organization" | "Project" | "ApiKey" | "ApiKeySecret" | "Event";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NODE_TYPES = new Set<string>([
  "User",
  "Organization",
  "Project",
  "ApiKey",
  "ApiKeySecret",
  "Event",
]);

export function toGlobalId(type: NodeTypeName, uuid: string): string {
  return Buffer.from(`${type}:${uuid}`, "utf8").toString("base64url");
}

export function fromGlobalId(globalId: string): { type: NodeTypeName; uuid: string } | null {
  if (typeof globalId !== "string" || globalId.length > 80) return null;
  const decoded = Buffer.from(globalId, "base64url").toString("utf8");
  const separator = decoded.indexOf(":");
  const type = decoded.slice(0, separator);
  const uuid = decoded.slice(separator + 1);
  if (separator < 0 || !NODE_TYPES.has(type) || !UUID.test(uuid)) return null;
  // Reject non-canonical encodings, so each node has exactly one id.
  if (toGlobalId(type as NodeTypeName, uuid) !== globalId) return null;
  return { type: type as NodeTypeName, uuid };
}

/** The uuid behind a global id of the expected type, or null. */
export function uuidOf(globalId: string, type: NodeTypeName): string | null {
  const decoded = fromGlobalId(globalId);
  return decoded && decoded.type === type ? decoded.uuid : null;
}
