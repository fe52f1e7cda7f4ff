import pino, { type Logger } from "pino";
import pretty from "pino-pretty";
import type { Config } from "./config";

/**
 * Paths never written to the log, whatever a log call is handed: credentials in headers, and
 * passwords, tokens and private keys wherever they sit in a logged object. The service never
 * logs them on purpose; this is the net under that rule.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "authorization",
  "password",
  "token",
  "privateKey",
  "*.password",
  "*.token",
  "*.privateKey",
  "*.*.password",
  "*.*.token",
  "*.*.privateKey",
];

/**
 * Standard output is written asynchronously, in chunks of about a dozen access lines: a request
 * never waits for a write to stdout. A quiet service still writes every line within a second,
 * and `flushLog` (on stop) and `flushLogSync` (on a fatal exit) write out whatever is buffered.
 */
const STDOUT_BUFFER_BYTES = 4096;
const STDOUT_FLUSH_INTERVAL_MS = 1_000;

/**
 * JSON lines, one object per event; pretty, coloured lines when a developer runs the service in
 * a terminal (NODE_ENV=development and stdout is a TTY).
 */
export function createLogger(
  config: Pick<Config, "logLevel" | "nodeEnv">,
  destination?: pino.DestinationStream,
): Logger {
  const humanReadable =
    destination === undefined && config.nodeEnv === "development" && process.stdout.isTTY;
  return pino(
    {
      level: config.logLevel,
      base: { service: "keyfob" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    humanReadable
      ? pretty({ colorize: true, ignore: "service,pid,hostname" })
      : (destination ??
          pino.destination({
            dest: process.stdout.fd,
            sync: false,
            minLength: STDOUT_BUFFER_BYTES,
            periodicFlush: STDOUT_FLUSH_INTERVAL_MS,
          })),
  );
}

/** Resolves once every line logged so far has been written (a no-op for unbuffered streams). */
export function flushLog(log: Logger): Promise<void> {
  return new Promise((resolve) => log.flush(() => resolve()));
}

/**
 * Writes what is buffered before the process exits without returning to the event loop. A write
 * already in flight is left to finish on its own; this takes the lines queued behind it.
 */
export function flushLogSync(log: Logger): void {
  const stream = (log as unknown as Record<symbol, { flushSync?: () => void }>)[
    pino.symbols.streamSym
  ];
  try {
    stream?.flushSync?.();
  } catch {
    // Not open yet or already closed: nothing more can be written either way.
  }
}
