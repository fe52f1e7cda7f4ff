/**
 * Keyset cursors: the position of a row in `(created_at, id)` order, opaque to clients.
 * Timestamps are stored with millisecond precision, so a Date round-trips exactly.
 */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.createdAt.getTime()}|${position.id}`, "utf8").toString(
    "base64url",
  );
}

const CURSOR = /^(\d{1,15})\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function decodeCursor(cursor: string): KeysetPosition | null {
  if (cursor.length > 100) return null;
  const match = CURSOR.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) return null;
  return { createdAt: new Date(Number(match[1])), id: match[2] };
}
