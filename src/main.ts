import "reflect-metadata";
import type { Logger } from "pino";
import { ConfigError, loadConfig } from "./config";
import { createLogger, flushLog, flushLogSync } from "./logger";
import { startService } from "./service";

let log: Logger | undefined;

/** Ends the process at once, after writing out the lines the logger still holds. */
function exitNow(code: number): never {
  if (log) flushLogSync(log);
  process.exit(code);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = (log = createLogger(config));
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception: exiting");
    exitNow(1);
  });
  const service = await startService(config, logger);
  // Start-up lines are what an operator (or a supervisor) waits for: out now, not in a second.
  await flushLog(logger);

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down: draining in-flight requests");
    // stop() writes out the log last, so every request's access line is out before exit.
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "error while shutting down");
        exitNow(1);
      },
    );
  };
  // `on`, not `once`: signal-exit (used by the data-directory lock) re-raises a signal when no
  // other listener is left, which would kill the process in the middle of draining.
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  exitNow(1);
});
