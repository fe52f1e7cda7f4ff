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
    humanReadable ? pretty({ colorize: true, ignore: "service,pid,hostname" }) : destination,
  );
}
