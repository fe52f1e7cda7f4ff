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
 * Standard output is written asynchronously, in chunks of about sixty access lines: a request
 * never waits for a write to stdout, and each write (handed to libuv's thread pool, which costs
 * the event loop a wake-up each way) serves many requests. A quiet service still writes every
 * line within a second, and `flushLog` (on stop) and `flushLogSync` (on a fatal exit) write out
 * whatever is buffered.
 */
const STDOUT_BUFFER_BYTES = 16_384;
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
      : (destination ?? bufferedStdout()),
  );
}

/**
 * Standard output through sonic-boom in buffer mode, each line encoded once as it is logged. Its
 * string mode appends each line to one growing string and measures that string's byte length on
 * every write, which flattens the whole rope (up to `maxWrite`) once per line: 1.5 µs of an API
 * key request's 85 in the profile, and more the longer its access line. In buffer mode a write
 * adds a Buffer to a list and the chunk is joined once, when it is written.
 */
function bufferedStdout(): pino.DestinationStream {
  const stream = pino.destination({
    dest: process.stdout.fd,
    sync: false,
    contentMode: "buffer",
    minLength: STDOUT_BUFFER_BYTES,
    // sonic-boom wants its largest write above the buffered length.
    maxWrite: 4 * STDOUT_BUFFER_BYTES,
    periodicFlush: STDOUT_FLUSH_INTERVAL_MS,
  });
  // Typed for strings; in buffer mode it takes Buffers.
  const writeBuffer = stream.write.bind(stream) as unknown as (line: Buffer) => boolean;
  // What pino and the flush helpers use of a destination, each on the stream itself.
  return {
    write: (line: string) => writeBuffer(Buffer.from(line)),
    flush: (callback?: (error?: Error) => unknown) => stream.flush(callback),
    flushSync: () => stream.flushSync(),
  } as pino.DestinationStream;
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

type Log = (...args: unknown[]) => void;

/**
 * A request's logger (fastify's `childLoggerFactory`), which binds the request id. The pino child
 * is made when the request first logs through it: fastify asks for one per request, most requests
 * never use it (their access line is written by `accessLogger`), and with redaction on, making a
 * child costs a request more than writing its access line does.
 */
export class RequestLogger implements pino.BaseLogger {
  private made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: pino.Bindings,
    private readonly options?: pino.ChildLoggerOptions,
  ) {}

  private get logger(): Logger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  get level(): pino.LevelWithSilentOrString {
    return this.logger.level;
  }

  set level(level: pino.LevelWithSilentOrString) {
    this.logger.level = level;
  }

  get msgPrefix(): string | undefined {
    return this.logger.msgPrefix;
  }

  fatal(...args: unknown[]): void {
    (this.logger.fatal as Log)(...args);
  }

  error(...args: unknown[]): void {
    (this.logger.error as Log)(...args);
  }

  warn(...args: unknown[]): void {
    (this.logger.warn as Log)(...args);
  }

  info(...args: unknown[]): void {
    (this.logger.info as Log)(...args);
  }

  debug(...args: unknown[]): void {
    (this.logger.debug as Log)(...args);
  }

  trace(...args: unknown[]): void {
    (this.logger.trace as Log)(...args);
  }

  silent(): void {}

  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options);
  }
}

/**
 * The logger of the access lines, one per request: no redaction, since a line holds only what
 * `server.ts` puts in it (method, route, status, duration, principal kind and id, client
 * address), none of it a credential; redaction's wildcard paths would otherwise walk every field
 * of every line.
 */
export function accessLogger(log: Logger): Logger {
  return log.child({}, { redact: [] });
}
