import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import { AccessListService } from "./api-keys/access-list.service";
import { ApiKeyAuthenticator } from "./api-keys/api-key-authenticator";
import { ApiKeyService } from "./api-keys/api-key.service";
import { KeyChanges } from "./api-keys/key-changes";
import { ProjectApiKeyService } from "./api-keys/project-api-key.service";
import { UsageRecorder } from "./api-keys/usage-recorder";
import { SessionService } from "./auth/session.service";
import { AuthThrottle } from "./auth/throttle";
import type { Config } from "./config";
import { OrganizationMembershipService } from "./organizations/organization-membership.service";
import { OrganizationService } from "./organizations/organization.service";
import { ProjectMembershipService } from "./projects/project-membership.service";
import { ProjectService } from "./projects/project.service";
import { UserService } from "./users/user.service";

/** Settings once the database is known: the secret is always present by then. */
export type RuntimeConfig = Config & { readonly secret: string; readonly databaseUrl: string };

/** The composition root: one instance of each service for the life of the process. */
export function createServices(config: RuntimeConfig, db: DataSource, log: Logger) {
  const usage = new UsageRecorder(db, log);
  const apiKeys = new ApiKeyService(config.secret, config.maxApiKeysPerOrganization);
  const throttle = new AuthThrottle(config.redisUrl);
  return {
    throttle,
    sessions: new SessionService(db, config.secret, config.allowSignup, throttle),
    users: new UserService(),
    organizations: new OrganizationService(),
    organizationMemberships: new OrganizationMembershipService(),
    projects: new ProjectService(),
    projectMemberships: new ProjectMembershipService(),
    apiKeys,
    projectApiKeys: new ProjectApiKeyService(),
    accessLists: new AccessListService(),
    apiKeyAuthenticator: new ApiKeyAuthenticator(db, config.secret, usage),
    keyChanges: new KeyChanges(),
    usage,
  };
}

export type Services = ReturnType<typeof createServices>;
