import type { FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import { ApiKeyEntity } from "./api-keys/api-key.entity";
import { createAccessLoaders } from "./auth/access.loaders";
import type { Principal } from "./auth/principal";
import type { RequestContext } from "./graphql/context";
import { createEntityLoaders } from "./graphql/entity.loaders";
import type { OperationSlot } from "./metrics/operation-metrics.listener";
import type { RuntimeConfig, Services } from "./services";

type Loaders = RequestContext["loaders"];

/**
 * The context of one GraphQL request over HTTP. Its loaders are made when a resolver first asks
 * for them: most requests (`__typename`, a key's `viewer`, which the verified key answers) never
 * do, and a dozen DataLoaders per request would be most of what building a context costs.
 *
 * Apollo copies the context (own properties onto an object of the same prototype) before running
 * the operation, so the state lives in plain properties, not `#private` fields.
 */
export class HttpRequestContext implements RequestContext {
  readonly principal: Principal;
  readonly clientAddress: string;
  readonly requestId: string;
  readonly operationSlot: OperationSlot;
  private madeLoaders: Loaders | undefined;

  constructor(
    readonly config: RuntimeConfig,
    readonly db: DataSource,
    readonly services: Services,
    private readonly request: FastifyRequest,
  ) {
    this.principal = request.principal;
    this.clientAddress = request.clientAddress;
    this.requestId = request.id;
    this.operationSlot = request;
  }

  get log(): Logger {
    return this.request.log as Logger;
  }

  get loaders(): Loaders {
    return (this.madeLoaders ??= makeLoaders(this.db, this.principal));
  }
}

function makeLoaders(db: DataSource, principal: Principal): Loaders {
  const entityLoaders = createEntityLoaders(db.manager);
  // The key this request was admitted with: its own row needs no query. A copy, since the
  // verified key is shared with other requests.
  if (principal.kind === "apiKey") {
    const ownRow = Object.assign(new ApiKeyEntity(), principal.key, {
      lastUsedAt: principal.usedAt,
    });
    entityLoaders.apiKey.prime(principal.apiKeyId, ownRow);
  }
  return { access: createAccessLoaders(db.manager, principal, entityLoaders), ...entityLoaders };
}
