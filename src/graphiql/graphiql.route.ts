import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawServerDefault,
} from "fastify";

/**
 * GraphiQL, served to browsers at GET /graphql. The page is bundled at build time
 * (`npm run build:graphiql`, from graphiql/) into dist/graphiql/: index.html plus content-hashed
 * files that are served here under ASSET_PREFIX. Nothing is loaded from any other origin.
 */

/** dist/graphiql, from this file compiled to dist/src/graphiql/. */
export const GRAPHIQL_DIRECTORY = path.join(__dirname, "..", "..", "graphiql");

/** Must match PUBLIC_PATH in scripts/build-graphiql.js. */
export const ASSET_PREFIX = "/graphiql/assets/";

/**
 * For the page only. Relaxed from `default-src 'self'` just where GraphiQL needs it: inline styles
 * (Monaco and React set `style` attributes and inject <style> elements) and data: URLs for images
 * and fonts (GraphiQL's stylesheet embeds its fonts and icons).
 */
export const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export interface GraphiQLAsset {
  type: string;
  body: Buffer;
  /** Gzipped body, written beside the file by the build (`NAME.gz`). */
  gzip?: Buffer;
}

export interface GraphiQLPage {
  html: string;
  /** By file name (as requested under ASSET_PREFIX). */
  assets: Map<string, GraphiQLAsset>;
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
  ".svg": "image/svg+xml",
};

let loaded: GraphiQLPage | null | undefined;

/** The built page and its assets, read once; null when the bundle has not been built. */
export function graphiqlPage(): GraphiQLPage | null {
  if (loaded === undefined) loaded = readPage(GRAPHIQL_DIRECTORY);
  return loaded;
}

function readPage(directory: string): GraphiQLPage | null {
  const index = path.join(directory, "index.html");
  if (!existsSync(index)) return null;
  const assets = new Map<string, GraphiQLAsset>();
  const assetDirectory = path.join(directory, "assets");
  const names = existsSync(assetDirectory) ? readdirSync(assetDirectory) : [];
  for (const name of names) {
    const type = CONTENT_TYPES[path.extname(name)];
    if (!type) continue;
    const file = path.join(assetDirectory, name);
    assets.set(name, {
      type,
      body: readFileSync(file),
      gzip: names.includes(`${name}.gz`) ? readFileSync(`${file}.gz`) : undefined,
    });
  }
  return { html: readFileSync(index, "utf8"), assets };
}

/** How much `accept` wants `type` (0–1), by the most specific media range that matches it. */
export function acceptQuality(accept: string | undefined, type: string): number {
  if (!accept) return 1;
  const major = type.slice(0, type.indexOf("/"));
  let specificity = -1;
  let quality = 0;
  for (const part of accept.toLowerCase().split(",")) {
    const [range = "", ...parameters] = part.split(";").map((piece) => piece.trim());
    const rank = range === type ? 2 : range === `${major}/*` ? 1 : range === "*/*" ? 0 : -1;
    if (rank <= specificity) continue;
    let q = 1;
    for (const parameter of parameters) {
      const [name, value] = parameter.split("=").map((piece) => piece.trim());
      if (name === "q") q = Number(value);
    }
    specificity = rank;
    quality = Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0;
  }
  return quality;
}

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(",").some((part) => {
    const [coding = "", ...parameters] = part.split(";").map((piece) => piece.trim().toLowerCase());
    if (coding !== "gzip" && coding !== "*") return false;
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * True for a browser opening GET /graphql: it prefers text/html to JSON (a tie, such as curl's
 * `*\/*`, goes to JSON) and the URL carries no GraphQL request (`query` or `extensions`).
 */
export function wantsGraphiQL(request: FastifyRequest): boolean {
  if (request.method !== "GET") return false;
  if ((request.routeOptions.url ?? request.url.split("?")[0]) !== "/graphql") return false;
  const query = request.query as Record<string, unknown> | null | undefined;
  if (query && (query.query !== undefined || query.extensions !== undefined)) return false;
  const accept = request.headers.accept;
  if (!accept) return false;
  const html = acceptQuality(accept, "text/html");
  const json = Math.max(
    acceptQuality(accept, "application/json"),
    acceptQuality(accept, "application/graphql-response+json"),
  );
  return html > 0 && html > json;
}

/** Sends the GraphiQL page (or, when it was not built, says so) with its security headers. */
export function sendGraphiQL(reply: FastifyReply): FastifyReply {
  const page = graphiqlPage();
  void reply
    .header("content-security-policy", GRAPHIQL_CSP)
    .header("x-content-type-options", "nosniff")
    .header("x-frame-options", "DENY")
    .header("referrer-policy", "no-referrer")
    .header("cache-control", "no-cache")
    .header("vary", "accept")
    .type("text/html; charset=utf-8");
  if (!page) {
    return reply
      .code(503)
      .send(
        "<!doctype html><title>GraphiQL</title><p>GraphiQL has not been built: run " +
          "<code>npm run build:graphiql</code>. The GraphQL API itself is available at POST /graphql.",
      );
  }
  return reply.send(page.html);
}

/**
 * Serves GraphiQL's assets under ASSET_PREFIX, and returns the check that serves the page itself
 * on GET /graphql for browsers: the app's onRequest hook calls it (so the page is answered before
 * authentication and Apollo), and it returns true when it answered. One hook for both saves every
 * request a hook call.
 */
export function registerGraphiQL<Logger extends FastifyBaseLogger>(
  fastify: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>,
): (request: FastifyRequest, reply: FastifyReply) => boolean {
  if (!graphiqlPage()) {
    fastify.log.warn(
      { directory: GRAPHIQL_DIRECTORY },
      "GraphiQL has not been built (npm run build:graphiql): GET /graphql will say so to browsers",
    );
  }

  fastify.get<{ Params: { file: string } }>(`${ASSET_PREFIX}:file`, async (request, reply) => {
    const asset = graphiqlPage()?.assets.get(request.params.file);
    if (!asset) return reply.code(404).type("text/plain; charset=utf-8").send("Not found");
    void reply
      .header("cache-control", "public, max-age=31536000, immutable")
      .header("x-content-type-options", "nosniff")
      .header("vary", "accept-encoding")
      .type(asset.type);
    if (asset.gzip && acceptsGzip(request.headers["accept-encoding"])) {
      return reply.header("content-encoding", "gzip").send(asset.gzip);
    }
    return reply.send(asset.body);
  });

  return (request, reply) => {
    if (!wantsGraphiQL(request)) return false;
    sendGraphiQL(reply);
    return true;
  };
}
