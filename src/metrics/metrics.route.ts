import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawServerDefault,
} from "fastify";
import type { Config } from "../config";
import type { Metrics } from "./metrics";

export const METRICS_PATH = "/metrics";

/** Where GET /metrics is served, as the settings decide. */
export type MetricsExposure =
  | { kind: "public"; token: string | undefined }
  | { kind: "separate"; host: string; port: number; token: string | undefined }
  | { kind: "off" };

/**
 * METRICS_PORT moves /metrics off the public port; METRICS_TOKEN, wherever it is served,
 * requires it as a bearer token. In production one of the two is needed, or it is not served:
 * the figures (operation names, failure rates) are not for the public.
 */
export function metricsExposure(
  config: Pick<Config, "nodeEnv" | "metricsPort" | "metricsHost" | "metricsToken">,
): MetricsExposure {
  const token = config.metricsToken;
  if (config.metricsPort !== undefined) {
    return { kind: "separate", host: config.metricsHost, port: config.metricsPort, token };
  }
  if (token !== undefined || config.nodeEnv !== "production") return { kind: "public", token };
  return { kind: "off" };
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Compares digests, so neither the token's content nor its length shows in the timing. */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return timingSafeEqual(digest(match?.[1] ?? ""), expected);
}

/** Adds GET /metrics; with a token, a request without it is refused with 401. */
export function registerMetricsRoute<Logger extends FastifyBaseLogger>(
  fastify: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>,
  metrics: Metrics,
  token: string | undefined,
): void {
  const expected = token === undefined ? undefined : digest(token);
  fastify.get(METRICS_PATH, async (request, reply) => {
    if (expected && !bearerMatches(request.headers.authorization, expected)) {
      return reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="keyfob metrics"')
        .type("text/plain; charset=utf-8")
        .send("GET /metrics needs the METRICS_TOKEN bearer token.\n");
    }
    const { contentType, body } = await metrics.scrape();
    return reply.type(contentType).send(body);
  });
}

export interface MetricsServer {
  /** Base URL, e.g. http://127.0.0.1:9464 */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves GET /metrics alone on its own address, for a scraper inside the network. */
export async function startMetricsServer(
  metrics: Metrics,
  exposure: { host: string; port: number; token: string | undefined },
): Promise<MetricsServer> {
  const server = Fastify({ logger: false });
  registerMetricsRoute(server, metrics, exposure.token);
  const url = await server.listen({ host: exposure.host, port: exposure.port });
  return { url, close: () => server.close() };
}
