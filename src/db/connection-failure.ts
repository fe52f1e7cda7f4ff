/**
 * Whether an error means "the database could not be reached or dropped the connection", as
 * opposed to "the database answered, and the answer was an error". The first kind is transient:
 * nothing was decided (or, for a COMMIT whose connection died, the client cannot know and must
 * read back), so the caller gets 503 with Retry-After instead of a masked 500.
 *
 * Pure: it looks only at the error and the errors it wraps.
 */

/** SQLSTATEs of a lost or refused connection (PostgreSQL, Appendix A). */
const CONNECTION_SQLSTATES = new Set([
  // admin_shutdown (pg_terminate_backend, `pg_ctl stop -m fast|immediate`), crash_shutdown,
  // cannot_connect_now (starting up, shutting down, in recovery)
  "57P01",
  "57P02",
  "57P03",
  "53300", // too_many_connections
  "3D000", // invalid_catalog_name: the database was dropped or renamed under us
]);

/**
 * Class 08 (connection exception) and class 28 (the server refuses our credentials), but not
 * 08P01: a protocol violation is a bug in a client or a proxy, and a retry would meet it again.
 */
const PROTOCOL_VIOLATION = "08P01";
/** Class 08 (connection exception) and class 28 (the server refuses our credentials). */
const CONNECTION_SQLSTATE_CLASSES = ["08", "28"];

/** Socket and name-resolution failures from node's `net` and `dns`. */
const SOCKET_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** node-postgres and pg-pool errors that carry no code, only their message. */
const DRIVER_MESSAGES = [
  /^Connection terminated\b/, // "Connection terminated unexpectedly", "... due to connection timeout"
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^Query read timeout$/,
];

/** 55000 is a catch-all state; with this message it is a database refusing connections. */
const NOT_ACCEPTING_CONNECTIONS = /is not currently accepting connections/;

const MAX_DEPTH = 8;

/** A connection that died under a transaction, carrying the error the driver reported. */
export class ConnectionLostError extends Error {
  constructor(cause: unknown) {
    super("The database connection was lost during a transaction.", { cause });
    this.name = "ConnectionLostError";
  }
}

export function isConnectionFailure(error: unknown): boolean {
  return connectionFailureOf(error) !== undefined;
}

/** The error, or the error it wraps, that shows the connection failed; undefined if none does. */
export function connectionFailureOf(
  error: unknown,
): { code: string | undefined; message: string } | undefined {
  const cause = causes(error).find(isConnectionFailureItself) as
    { code?: unknown; message?: unknown } | undefined;
  if (!cause) return undefined;
  return {
    code: typeof cause.code === "string" ? cause.code : undefined,
    message: typeof cause.message === "string" ? cause.message : "",
  };
}

function isConnectionFailureItself(error: object): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (CONNECTION_SQLSTATES.has(code) || SOCKET_ERROR_CODES.has(code)) return true;
    if (
      /^[0-9A-Z]{5}$/.test(code) &&
      code !== PROTOCOL_VIOLATION &&
      CONNECTION_SQLSTATE_CLASSES.includes(code.slice(0, 2))
    )
      return true;
    if (code === "55000" && typeof message === "string") {
      return NOT_ACCEPTING_CONNECTIONS.test(message);
    }
  }
  return typeof message === "string" && DRIVER_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * The error and everything it wraps: GraphQL's `originalError`, typeorm's `driverError`, the
 * standard `cause`, and an AggregateError's `errors` (node's happy-eyeballs connect).
 */
function causes(error: unknown): object[] {
  const found: object[] = [];
  const visit = (value: unknown, depth: number) => {
    if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return;
    if (found.includes(value)) return;
    found.push(value);
    const wrapper = value as {
      originalError?: unknown;
      driverError?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    visit(wrapper.originalError, depth + 1);
    visit(wrapper.driverError, depth + 1);
    visit(wrapper.cause, depth + 1);
    if (Array.isArray(wrapper.errors)) {
      for (const inner of wrapper.errors) visit(inner, depth + 1);
    }
  };
  visit(error, 0);
  return found;
}
