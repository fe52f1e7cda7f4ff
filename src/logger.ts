import pino, { type Logger } from "pino";
import type { Config } from "./config";

/**
 * Paths never written to the log, whatever a log call is handed: credentials in headers, and
 * passwords, tokens and private keys wherever they sit in a logged object.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "authorization",
  "*.password",
  "*.token",
  "*.privateKey",
  "*.*.password",
  "*.*.token",
  "*.*.privateKey",
];

export function createLogger(
  config: Pick<Config, "logLevel">,
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: "keyfob" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
