import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from "fastify";
import type { DataSource } from "typeorm";
import { RETRY_AFTER_SECONDS } from "../graphql/service-unavailable";
import type { DatabaseHealth } from "./database-health";

const PROBE_TIMEOUT_MS = 2_000;

/**
 * GET /readyz: 200 while the database answers, 503 with Retry-After while it does not. Each probe
 * reports to the health seam, so a load balancer's probes alone notice an outage and its end.
 */
export function registerReadinessRoute<Logger extends FastifyBaseLogger>(
  fastify: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>,
  db: DataSource,
  health: DatabaseHealth,
): void {
  fastify.get("/readyz", async (_request, reply) => {
    const startedAt = health.startRoundTrip();
    try {
      await withTimeout(db.query("SELECT 1"), PROBE_TIMEOUT_MS);
      health.succeeded(startedAt);
      return { status: "ready" };
    } catch (error) {
      health.failed(error);
      return reply
        .code(503)
        .header("retry-after", String(RETRY_AFTER_SECONDS))
        .send({ status: "unavailable", reason: "database unreachable" });
    }
  });
}

/** `promise`, or a timeout that counts as a connection failure (a database that does not answer). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const timeout = new Error(`the database did not answer within ${ms} ms`);
      reject(Object.assign(timeout, { code: "ETIMEDOUT" }));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
