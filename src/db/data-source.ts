import path from "node:path";
import type { Pool } from "pg";
import { DataSource, type LogLevel } from "typeorm";
import type { PostgresDriver } from "typeorm/driver/postgres/PostgresDriver";
import { ENTITIES } from "./entities";

/** The service's pool on a real PostgreSQL: what its load fills. */
export const DEFAULT_POOL_SIZE = 10;

export interface DataSourceOptions {
  url: string;
  /** Connections in the pool (default `DEFAULT_POOL_SIZE`). */
  poolSize?: number;
  /** Called with every SQL statement sent; used by tests that count round trips. */
  onQuery?: (sql: string, parameters?: unknown[]) => void;
}

/** Compiled migrations sit next to the compiled `src/` in `dist/`. */
const MIGRATIONS_GLOB = path.join(__dirname, "..", "..", "migrations", "*.js");

export function createDataSource(options: DataSourceOptions): DataSource {
  const onQuery = options.onQuery;
  return new DataSource({
    type: "postgres",
    url: options.url,
    entities: ENTITIES,
    migrations: [MIGRATIONS_GLOB],
    migrationsTableName: "migrations",
    migrationsTransactionMode: "each",
    synchronize: false,
    uuidExtension: "pgcrypto",
    installExtensions: false,
    applicationName: "keyfob",
    extra: {
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // A request never waits on a stuck statement for ever; the mask turns it into a clean error.
      statement_timeout: 15_000,
    },
    logging: onQuery ? ["query"] : false,
    logger: onQuery
      ? {
          logQuery: (sql: string, parameters?: unknown[]) => onQuery(sql, parameters),
          logQueryError: () => {},
          logQuerySlow: () => {},
          logSchemaBuild: () => {},
          logMigration: () => {},
          log: (_level: LogLevel) => {},
        }
      : undefined,
  });
}

/**
 * The connection pool behind a data source (pg's, inside TypeORM's Postgres driver), as the
 * metrics read it at scrape time. Zeros before the data source is initialised or after it closed.
 */
export function poolStatistics(db: DataSource): { inUse: number; idle: number; waiting: number } {
  const pool = (db.driver as PostgresDriver).master as Pool | undefined;
  if (!pool) return { inUse: 0, idle: 0, waiting: 0 };
  return {
    inUse: pool.totalCount - pool.idleCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
  };
}
