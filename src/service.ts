import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import type { Config } from "./config";
import { createDataSource, DEFAULT_POOL_SIZE } from "./db/data-source";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "./db/embedded";
import { createLogger, flushLog } from "./logger";
import { metricsExposure, startMetricsServer, type MetricsServer } from "./metrics/metrics.route";
import { createApp, type App } from "./server";
import { createServices, type RuntimeConfig, type Services } from "./services";

/** Used only in development with DATABASE_URL and no KEYFOB_SECRET; production refuses to start so. */
const DEVELOPMENT_SECRET = "keyfob-development-secret-do-not-use-in-production";

export interface RunningService {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  readonly url: string;
  /** Base URL of the separate metrics port (METRICS_PORT), when there is one. */
  readonly metricsUrl: string | undefined;
  readonly app: App;
  readonly db: DataSource;
  readonly services: Services;
  /** Drains in-flight requests, flushes usage counters, closes the database, writes out the log. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** Sees every SQL statement the service sends; tests count round trips with it. */
  onQuery?: (sql: string, parameters?: unknown[]) => void;
}

/** Starts the whole service: database (embedded when no DATABASE_URL), migrations, HTTP. */
export async function startService(
  config: Config,
  log: Logger = createLogger(config),
  options: ServiceOptions = {},
): Promise<RunningService> {
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedDatabase(config.dataDir);
    log.warn(
      { dataDir: config.dataDir },
      "Using the embedded database (PGlite) in %s: fine for trying keyfob out, not for production. " +
        "Every answered change survives keyfob crashing or being killed, but not the machine crashing " +
        "or losing power (PGlite never fsyncs): then recent changes, or the whole directory, can be lost. " +
        "Set DATABASE_URL=postgres://user:password@host:5432/db to use a real PostgreSQL.",
      config.dataDir,
    );
    if (embedded.recoveredFrom !== undefined) {
      log.warn(
        { pid: embedded.recoveredFrom },
        "the previous keyfob on this data directory (pid %d) did not stop cleanly: took over its lock; " +
          "PostgreSQL recovered the database from its write-ahead log",
        embedded.recoveredFrom,
      );
    }
  }
  try {
    const secret = config.secret ?? embedded?.secret ?? DEVELOPMENT_SECRET;
    if (secret === DEVELOPMENT_SECRET) {
      log.warn(
        "KEYFOB_SECRET is not set: using a development secret. Set it for any real deployment.",
      );
    }
    const runtime: RuntimeConfig = Object.freeze({
      ...config,
      secret,
      databaseUrl: config.databaseUrl ?? embedded!.url,
      embedded: embedded !== undefined,
    });
    const db = await createDataSource({
      url: runtime.databaseUrl,
      // One connection to the embedded database: its socket server interleaves the extended-protocol
      // messages of concurrent connections on PGlite's single session, so one connection's Bind can
      // run another's statement (electric-sql/pglite#1046). PGlite runs one query at a time anyway.
      poolSize: embedded ? 1 : DEFAULT_POOL_SIZE,
      onQuery: options.onQuery,
    }).initialize();
    const applied = await db.runMigrations({ transaction: "each" });
    if (applied.length > 0)
      log.info({ migrations: applied.map((m) => m.name) }, "applied migrations");

    const services = createServices(runtime, db, log);
    services.usage.start();
    services.eventPruner.start();
    services.oauthTokens.start();
    await services.keyChangeChannel?.start();
    const app = await createApp({ config: runtime, db, services, log });
    const address = await app.fastify.listen({ port: config.port, host: config.host });
    const exposure = metricsExposure(config);
    let metricsServer: MetricsServer | undefined;
    if (exposure.kind === "separate") {
      metricsServer = await startMetricsServer(services.metrics, exposure);
      log.info({ address: metricsServer.url }, "metrics at %s/metrics", metricsServer.url);
    } else if (exposure.kind === "off") {
      log.info(
        "GET /metrics is off: with NODE_ENV=production, set METRICS_PORT (a separate port) or METRICS_TOKEN (a bearer token) to serve it",
      );
    }
    log.info(
      {
        address,
        database: embedded ? `embedded (${config.dataDir})` : new URL(runtime.databaseUrl).host,
      },
      "keyfob is listening on %s (GraphQL API, and GraphiQL in a browser, at %s/graphql)",
      address,
      address,
    );

    let stopping: Promise<void> | undefined;
    return {
      url: address,
      metricsUrl: metricsServer?.url,
      app,
      db,
      services,
      stop: () =>
        (stopping ??= (async () => {
          await app.stop();
          await metricsServer?.close();
          log.debug("HTTP server closed");
          await services.oauthTokens.stop();
          await services.usage.stop();
          await services.eventPruner.stop();
          await services.throttle.close();
          await services.keyChangeChannel?.stop();
          services.health.stop();
          await db.destroy();
          log.debug("database connections closed");
          await embedded?.stop();
          log.debug("embedded database stopped");
          await flushLog(log);
        })()),
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
