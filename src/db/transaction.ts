import {
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
  type DataSource,
  type EntityManager,
} from "typeorm";
import { ConnectionLostError } from "./connection-failure";

/**
 * Runs `work` in one transaction and hands it the transactional manager; everything inside must
 * use that manager, never `ctx.db`. A `UserInputError` thrown inside rolls the transaction back.
 * A connection lost on the way is an error that `isConnectionFailure` recognises, whichever
 * statement noticed it.
 */
export async function inTransaction<T>(
  source: { readonly db: DataSource },
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = source.db.createQueryRunner();
  let lost: unknown;
  const noteLoss = (error: unknown) => {
    lost ??= error;
  };
  try {
    const connection = (await runner.connect()) as NodeJS.EventEmitter;
    connection.on("error", noteLoss);
    try {
      return await runner.manager.transaction("READ COMMITTED", work);
    } finally {
      connection.removeListener("error", noteLoss);
    }
  } catch (error) {
    // typeorm drops a query runner whose connection fails between two statements, and the next
    // statement throws "Query runner already released" (from the query runner, or, for
    // `manager.query`, from the data source), which hides the cause.
    if (
      lost !== undefined &&
      (error instanceof QueryRunnerAlreadyReleasedError ||
        error instanceof QueryRunnerProviderAlreadyReleasedError)
    ) {
      throw new ConnectionLostError(lost);
    }
    throw error;
  } finally {
    await runner.release();
  }
}

interface PostgresError {
  code?: string;
  constraint?: string;
}

/** True when `error` is Postgres's unique violation (23505) of the named constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driverError =
    (error as { driverError?: PostgresError })?.driverError ?? (error as PostgresError);
  return driverError?.code === "23505" && driverError.constraint === constraint;
}
