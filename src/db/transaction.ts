import type { EntityManager } from "typeorm";
import type { RequestContext } from "../graphql/context";

/**
 * Runs `work` in one transaction and hands it the transactional manager; everything inside must
 * use that manager, never `ctx.db`. A `UserInputError` thrown inside rolls the transaction back.
 */
export function inTransaction<T>(
  ctx: Pick<RequestContext, "db">,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return ctx.db.transaction("READ COMMITTED", work);
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
