import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import type { AccessLoaders } from "../auth/access.loaders";
import type { Principal } from "../auth/principal";
import type { Config } from "../config";
import type { OperationSlot } from "../metrics/operation-metrics.listener";
import type { EntityLoaders } from "./entity.loaders";
import type { Services } from "../services";

/** Everything a resolver or service needs to know about the request it serves. */
export interface RequestContext {
  readonly config: Config;
  readonly db: DataSource;
  readonly services: Services;
  readonly principal: Principal;
  readonly loaders: { readonly access: AccessLoaders } & EntityLoaders;
  /** The client's address after `TRUST_PROXY` is applied; what access lists are checked against. */
  readonly clientAddress: string;
  /** Where the metrics name this request's operation (the HTTP request, which counts it). */
  readonly operationSlot: OperationSlot;
  readonly requestId: string;
  readonly log: Logger;
}
