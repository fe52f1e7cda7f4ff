import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import { AccessListService } from "./api-keys/access-list.service";
import { ApiKeyAuthenticator } from "./api-keys/api-key-authenticator";
import { ApiKeySecretService } from "./api-keys/api-key-secret.service";
import { ApiKeyService } from "./api-keys/api-key.service";
import { KeyChangeChannel } from "./api-keys/key-change-channel";
import { KeyChanges } from "./api-keys/key-changes";
import { VerifiedKeyCache } from "./api-keys/verified-key-cache";
import { ProjectApiKeyService } from "./api-keys/project-api-key.service";
import { UsageRecorder } from "./api-keys/usage-recorder";
import { EventPruner } from "./audit/event-pruner";
import { EventService } from "./audit/event.service";
import { EventWriter } from "./audit/event-writer";
import { SessionService } from "./auth/session.service";
import { AuthThrottle } from "./auth/throttle";
import type { Config } from "./config";
import { poolStatistics } from "./db/data-source";
import { Metrics } from "./metrics/metrics";
import { DatabaseHealth } from "./db/database-health";
import { OrganizationMembershipService } from "./organizations/organization-membership.service";
import { OrganizationService } from "./organizations/organization.service";
import { ProjectMembershipService } from "./projects/project-membership.service";
import { ProjectService } from "./projects/project.service";
import { OAuthTokenService } from "./oauth/oauth-token.service";
import { VerifiedTokenCache } from "./oauth/verified-token-cache";
import { UserService } from "./users/user.service";

/** Settings once the database is known: the secret is always present by then. */
export type RuntimeConfig = Config & {
  readonly secret: string;
  readonly databaseUrl: string;
  /** The embedded database: one process by construction, so no cross-instance messages. */
  readonly embedded: boolean;
};

/** How long a verified key may be reused without asking the database (changes evict it at once). */
const VERIFIED_KEY_TTL_MS = 10_000;

/** The composition root: one instance of each service for the life of the process. */
export function createServices(config: RuntimeConfig, db: DataSource, log: Logger) {
  const metrics = new Metrics();
  const health = new DatabaseHealth(log, { probe: () => db.query("SELECT 1") });
  metrics.observePool(() => poolStatistics(db));
  const usage = new UsageRecorder(db, log, metrics, health);
  const apiKeys = new ApiKeyService(config.secret, config.maxApiKeysPerOrganization);
  const throttle = new AuthThrottle(config.redisUrl);
  const keyChanges = new KeyChanges();
  const verifiedKeys = new VerifiedKeyCache(VERIFIED_KEY_TTL_MS, metrics);
  const verifiedTokens = new VerifiedTokenCache(VERIFIED_KEY_TTL_MS);
  keyChanges.subscribe((change) => verifiedKeys.invalidate(change));
  keyChanges.subscribe((change) => verifiedTokens.invalidate(change));
  const caches = {
    setEnabled(enabled: boolean) {
      verifiedKeys.setEnabled(enabled);
      verifiedTokens.setEnabled(enabled);
    },
  };
  const keyChangeChannel = config.embedded
    ? undefined
    : new KeyChangeChannel(config.databaseUrl, db, keyChanges, caches, log, health);
  return {
    metrics,
    health,
    throttle,
    sessions: new SessionService(db, config.secret, config.allowSignup, throttle),
    users: new UserService(),
    organizations: new OrganizationService(),
    organizationMemberships: new OrganizationMembershipService(),
    projects: new ProjectService(),
    projectMemberships: new ProjectMembershipService(),
    apiKeys,
    apiKeySecrets: new ApiKeySecretService(config.secret),
    projectApiKeys: new ProjectApiKeyService(),
    accessLists: new AccessListService(),
    apiKeyAuthenticator: new ApiKeyAuthenticator(db, config.secret, usage, verifiedKeys),
    oauthTokens: new OAuthTokenService(
      db,
      config.secret,
      config.oauthTokenTtlSeconds,
      verifiedTokens,
      usage,
      keyChanges,
      log,
      health,
    ),
    keyChanges,
    keyChangeChannel,
    verifiedKeys,
    verifiedTokens,
    usage,
    /** The audit trail's writer: every mutation records its events through it. */
    events: new EventWriter(),
    /** Reading the audit trail. */
    auditTrail: new EventService(),
    eventPruner: new EventPruner(db, log, health, config.eventRetentionDays),
  };
}

export type Services = ReturnType<typeof createServices>;
