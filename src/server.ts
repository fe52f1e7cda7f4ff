import { randomUUID } from "node:crypto";
import { ApolloServer, type GraphQLRequestListener } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from "@as-integrations/fastify";
import type { IncomingMessage, ServerResponse } from "node:http";
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type HookHandlerDoneFunction,
  type RawServerDefault,
} from "fastify";
import type { Logger } from "pino";
import { accessLogger, RequestLogger } from "./logger";
import type { DataSource } from "typeorm";
import { registerGraphiQL } from "./graphiql/graphiql.route";
import { authenticate, AuthenticationFailure } from "./auth/authenticate";
import { ANONYMOUS, type Principal } from "./auth/principal";
import { cachedClientAddressParser, type ClientAddress } from "./api-keys/cidr";
import type { RequestContext } from "./graphql/context";
import { isPublicError, maskError } from "./graphql/error-mask";
import { validationMessagesListener } from "./graphql/input-values";
import { requestListenersPlugin } from "./graphql/request-listeners";
import {
  RETRY_AFTER_SECONDS,
  SERVICE_UNAVAILABLE,
  SERVICE_UNAVAILABLE_MESSAGE,
  serviceUnavailableListener,
} from "./graphql/service-unavailable";
import { isConnectionFailure } from "./db/connection-failure";
import { registerReadinessRoute } from "./db/readiness.route";
import { LIMITS, requestLimitsListener, validationRules } from "./graphql/limits";
import { createSchema } from "./graphql/schema";
import type { OperationSeries } from "./metrics/metrics";
import { metricsExposure, registerMetricsRoute } from "./metrics/metrics.route";
import { operationMetricsListener } from "./metrics/operation-metrics.listener";
import { registerOAuthRoutes } from "./oauth/token.route";
import { HttpRequestContext } from "./request-context";
import type { RuntimeConfig, Services } from "./services";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal;
    /** The client address, parsed once (`TRUST_PROXY` applied); `clientAddress` is its text. */
    client: ClientAddress;
    clientAddress: string;
    /** Named by the metrics plugin once Apollo resolves the operation; counted on response. */
    graphqlOperation: OperationSeries | null;
  }
}

export interface AppDependencies {
  config: RuntimeConfig;
  db: DataSource;
  services: Services;
  log: Logger;
}

export interface App {
  fastify: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>;
  apollo: ApolloServer<RequestContext>;
  /** Stops taking requests, lets those in flight finish, then closes the HTTP server. */
  stop(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function createApp({ config, db, services, log }: AppDependencies): Promise<App> {
  const fastify = Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: log,
    childLoggerFactory: (parent, bindings, options) =>
      new RequestLogger(parent as Logger, bindings, options),
    // One access line per request is written by the onResponse hook below.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: "requestId",
    }),
    bodyLimit: LIMITS.maxBodyBytes,
    // TRUST_PROXY lists the proxies whose X-Forwarded-For is believed (proxy-addr semantics:
    // the client is the first hop from the right that is not a trusted proxy).
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    genReqId: (request) => {
      const incoming = request.headers["x-request-id"];
      return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });
  // Reference-type decorators must start as null; onRequest sets the real value.
  fastify.decorateRequest("principal", null as unknown as typeof ANONYMOUS);
  fastify.decorateRequest("client", null as unknown as ClientAddress);
  fastify.decorateRequest("clientAddress", "");
  fastify.decorateRequest("graphqlOperation", null);

  const apollo = new ApolloServer<RequestContext>({
    schema: await createSchema(),
    // Apollo's own warnings (an operation received while stopping, say) go to the service log,
    // not to the console.
    logger: log,
    formatError: maskError,
    includeStacktraceInErrorResponses: false,
    // No "Did you mean …" hints either: validationMessagesListener drops them, since Apollo's
    // hideSchemaDetailsFromClientErrors would add a listener to every request.
    introspection: true,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: LIMITS.maxTokens },
    validationOptions: { maxErrors: LIMITS.maxValidationErrors },
    validationRules: validationRules(),
    // main.ts owns shutdown: drain, flush usage, close the database, then exit 0.
    stopOnTerminationSignals: false,
    plugins: [
      fastifyApolloDrainPlugin(fastify),
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints and no Apollo Studio here: both would hook every field of every request.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      // The service's own per-request hooks, one listener for all, in this order.
      requestListenersPlugin([
        operationMetricsListener(services.metrics),
        requestLimitsListener(config.nodeEnv === "production"),
        validationMessagesListener(),
        unexpectedErrorsListener(),
        serviceUnavailableListener(services.health),
      ]),
    ],
  });
  await apollo.start();

  // The per-request hooks take fastify's callback form: an async hook costs a promise and a
  // microtask turn per request, for work that never waits.
  const clientAddressOf = cachedClientAddressParser();
  const answeredGraphiQL = registerGraphiQL(fastify);
  fastify.addHook("onRequest", (request, reply, done) => {
    request.client = clientAddressOf(request.ip);
    request.clientAddress = request.client.text;
    request.principal = ANONYMOUS;
    // Set now, it stays through error handling: every answer carries it, with no onSend hook.
    void reply.header("x-request-id", request.id);
    if (!answeredGraphiQL(request, reply)) done();
  });
  const { metrics } = services;
  const accessLog = accessLogger(log);
  fastify.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url;
    const elapsedMs = reply.elapsedTime;
    if (route === "/graphql") {
      metrics.graphqlRequest(request.graphqlOperation, reply.statusCode, elapsedMs / 1000);
    } else {
      metrics.httpRequest(route, reply.statusCode);
    }
    accessLog.info(
      {
        requestId: request.id,
        method: request.method,
        path: route ?? request.url.split("?")[0],
        status: reply.statusCode,
        durationMs: Math.round(elapsedMs * 10) / 10,
        principal: principalSummary(request.principal),
        clientAddress: request.clientAddress,
      },
      "request",
    );
    done();
  });

  /** Answers a request whose credentials were refused or could not be checked. */
  const sendRefusal = (
    request: FastifyRequest,
    reply: FastifyReply,
    authorization: string | undefined,
    error: unknown,
  ) => {
    if (!(error instanceof AuthenticationFailure)) {
      // The credentials could not be checked: nothing about the fault leaves the server.
      if (services.health.failed(error)) return sendServiceUnavailable(reply);
      request.log.error({ err: error }, "could not authenticate the request");
      return sendGraphQLError(reply, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
    }
    if (error.retryAfterSeconds !== undefined) {
      void reply.header("retry-after", String(error.retryAfterSeconds));
    }
    if (error.status === 401) {
      const scheme = authorization?.toLowerCase().startsWith("basic") ? "Basic" : "Bearer";
      void reply.header("www-authenticate", `${scheme} realm="keyfob"`);
    }
    return sendGraphQLError(reply, error.status, error.code, error.message);
  };
  // Callback form, like the hooks above: `authenticate` mostly answers at once.
  const authenticateRequest = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ) => {
    const { authorization } = request.headers;
    // The credentials go no further than this hook: Apollo's copy of the headers, its plugins and
    // the resolvers see the principal, never the private key or token. (Undefined rather than
    // deleted: deleting would turn the headers object into a slower dictionary.)
    request.headers.authorization = undefined;
    let principal: Principal | Promise<Principal>;
    try {
      principal = authenticate(services, authorization, request.client);
    } catch (error) {
      void sendRefusal(request, reply, authorization, error);
      return;
    }
    if (!(principal instanceof Promise)) {
      request.principal = principal;
      return done();
    }
    principal.then(
      (established) => {
        request.principal = established;
        done();
      },
      (error: unknown) => void sendRefusal(request, reply, authorization, error),
    );
  };

  fastify.route({
    url: "/graphql",
    method: ["GET", "POST", "OPTIONS"],
    preHandler: authenticateRequest,
    handler: fastifyApolloHandler(apollo, {
      context: async (request) => new HttpRequestContext(config, db, services, request),
    }),
  });

  // Anything that escapes a route is masked like a GraphQL error: never fastify's default body,
  // which would carry the raw message (a database error's text, say).
  fastify.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500 && services.health.failed(error)) return sendServiceUnavailable(reply);
    if (status >= 500) {
      request.log.error({ err: error }, "unexpected error outside GraphQL");
      return sendGraphQLError(reply, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
    }
    // fastify's own 4xx (body too large, unsupported media type, malformed JSON) say nothing secret.
    return reply.code(status).send(error);
  });

  const exposure = metricsExposure(config);
  if (exposure.kind === "public") registerMetricsRoute(fastify, metrics, exposure.token);
  registerOAuthRoutes(fastify, { ...services, publicUrl: config.publicUrl });
  fastify.get("/healthz", async () => ({ status: "ok" }));
  registerReadinessRoute(fastify, db, services.health);

  return {
    fastify,
    apollo,
    stop: () => apollo.stop(),
  };
}

/** The retryable answer to a request that lost its database. */
function sendServiceUnavailable(reply: FastifyReply) {
  void reply.header("retry-after", String(RETRY_AFTER_SECONDS));
  return sendGraphQLError(reply, 503, SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE_MESSAGE);
}

function sendGraphQLError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .code(status)
    .type("application/graphql-response+json; charset=utf-8")
    .send({ errors: [{ message, extensions: { code } }] });
}

function principalSummary(principal: Principal | null) {
  if (!principal || principal.kind === "anonymous") return { kind: "anonymous" };
  if (principal.kind === "user") return { kind: "user", id: principal.userId };
  return { kind: "apiKey", id: principal.apiKeyId };
}

/** Logs, with the request id, every error that the mask is about to hide from the client. */
function unexpectedErrorsListener(): GraphQLRequestListener<RequestContext> {
  return {
    async didEncounterErrors({ contextValue, errors }) {
      for (const error of errors) {
        // A lost database is logged once per outage by the health seam, not per request.
        if (isPublicError(error) || isConnectionFailure(error)) continue;
        (contextValue?.log ?? console).error(
          { err: error.originalError ?? error, path: error.path },
          "unexpected error while serving a GraphQL request",
        );
      }
    },
  };
}
