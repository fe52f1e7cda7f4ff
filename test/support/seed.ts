import { randomBytes } from "node:crypto";
import type { Client } from "./client";
import { registerSecret } from "./leaks";

/**
 * A fluent scenario builder over the public API (no SQL):
 *   const owner = await seed.user();
 *   const org = await owner.organization();
 *   const project = await org.project();
 *   const key = await org.apiKey({ roles: ["ORG_OWNER"], accessList: [{ ipAddress: "127.0.0.1" }] });
 * Every name is unique, so test files can run in parallel on one database.
 */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

export interface AccessListEntryInput {
  ipAddress?: string;
  cidrBlock?: string;
  comment?: string;
}

/**
 * The default entry admits every test's loopback address. `[]` asks for a key without entries,
 * created as Atlas's flow does (no `accessList` at all): an explicitly empty list is refused while
 * the organization requires an access list.
 */
function accessListInput(entries: AccessListEntryInput[] | undefined) {
  if (entries === undefined) return [{ cidrBlock: "127.0.0.0/8" }];
  return entries.length > 0 ? entries : undefined;
}

export interface KeyOptions {
  roles?: string[];
  accessList?: AccessListEntryInput[];
  description?: string;
  /** ISO instant; omitted = the organization's default (its maximum lifetime, or never). */
  expiresAt?: string | null;
}

/** A key's secret as `ApiKey.secrets` lists it. */
export interface SecretView {
  id: string;
  privateKeyRedacted: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const SECRETS = "secrets { id privateKeyRedacted createdAt expiresAt lastUsedAt }";

export class Seed {
  constructor(readonly client: Client) {}

  async user(name = unique("user")): Promise<UserActor> {
    const email = `${name}@example.test`;
    const password = `pw-${randomBytes(12).toString("hex")}`;
    registerSecret(password);
    const payload = await this.client.mutate(
      `mutation ($input: SignUpInput!) { signUp(input: $input) { token user { id } userErrors { code } } }`,
      { input: { email, password, name } },
    );
    return new UserActor(this, payload.user.id, email, password, payload.token);
  }
}

export class UserActor {
  readonly client: Client;

  constructor(
    readonly seed: Seed,
    readonly id: string,
    readonly email: string,
    readonly password: string,
    readonly token: string,
  ) {
    this.client = seed.client.as({ kind: "bearer", token });
  }

  async organization(name = unique("org")): Promise<OrganizationFixture> {
    const payload = await this.client.mutate(
      `mutation ($input: CreateOrganizationInput!) {
         createOrganization(input: $input) { organization { id } userErrors { code } } }`,
      { input: { name } },
    );
    return new OrganizationFixture(this, payload.organization.id, name);
  }
}

export class OrganizationFixture {
  constructor(
    readonly owner: UserActor,
    readonly id: string,
    readonly name: string,
  ) {}

  get client(): Client {
    return this.owner.client;
  }

  async project(name = unique("project")): Promise<ProjectFixture> {
    const payload = await this.client.mutate(
      `mutation ($input: CreateProjectInput!) { createProject(input: $input) { project { id } userErrors { code } } }`,
      { input: { organizationId: this.id, name } },
    );
    return new ProjectFixture(this, payload.project.id, name);
  }

  /** Signs up a new user and adds them to the organization with `roles`. */
  async member(roles: string[]): Promise<UserActor> {
    const user = await this.owner.seed.user();
    await this.addMember(user, roles);
    return user;
  }

  async addMember(user: UserActor, roles: string[]): Promise<void> {
    await this.client.mutate(
      `mutation ($input: AddOrganizationMemberInput!) {
         addOrganizationMember(input: $input) { membership { roles } userErrors { code } } }`,
      { input: { organizationId: this.id, email: user.email, roles } },
    );
  }

  async setAccessListRequired(required: boolean): Promise<void> {
    await this.client.mutate(
      `mutation ($input: UpdateOrganizationSettingsInput!) {
         updateOrganizationSettings(input: $input) { organization { id } userErrors { code } } }`,
      { input: { organizationId: this.id, apiAccessListRequired: required } },
    );
  }

  /** Sets (a number of days) or removes (null) the organization's maximum key lifetime. */
  async setMaxApiKeyLifetimeDays(days: number | null): Promise<void> {
    await this.client.mutate(
      `mutation ($input: UpdateOrganizationSettingsInput!) {
         updateOrganizationSettings(input: $input) { organization { id } userErrors { code } } }`,
      { input: { organizationId: this.id, maxApiKeyLifetimeDays: days } },
    );
  }

  async apiKey(options: KeyOptions = {}): Promise<KeyFixture> {
    const payload = await this.client.mutate(
      `mutation ($input: CreateOrganizationApiKeyInput!) {
         createOrganizationApiKey(input: $input) { apiKey { id publicKey } privateKey userErrors { code } } }`,
      {
        input: {
          organizationId: this.id,
          description: options.description ?? unique("key"),
          roles: options.roles ?? ["ORG_MEMBER"],
          accessList: accessListInput(options.accessList),
          ...("expiresAt" in options ? { expiresAt: options.expiresAt } : {}),
        },
      },
    );
    return new KeyFixture(
      this.owner.seed,
      this.client,
      payload.apiKey.id,
      payload.apiKey.publicKey,
      payload.privateKey,
    );
  }
}

export class ProjectFixture {
  constructor(
    readonly organization: OrganizationFixture,
    readonly id: string,
    readonly name: string,
  ) {}

  get client(): Client {
    return this.organization.client;
  }

  /** Signs up a user, adds them to the organization (ORG_MEMBER) and to this project with `roles`. */
  async member(roles: string[], organizationRoles = ["ORG_MEMBER"]): Promise<UserActor> {
    const user = await this.organization.member(organizationRoles);
    await this.addMember(user, roles);
    return user;
  }

  async addMember(user: UserActor, roles: string[]): Promise<void> {
    await this.client.mutate(
      `mutation ($input: AddProjectMemberInput!) {
         addProjectMember(input: $input) { membership { roles } userErrors { code } } }`,
      { input: { projectId: this.id, userId: user.id, roles } },
    );
  }

  async apiKey(options: KeyOptions = {}): Promise<KeyFixture> {
    const payload = await this.client.mutate(
      `mutation ($input: CreateProjectApiKeyInput!) {
         createProjectApiKey(input: $input) { apiKey { id publicKey } privateKey userErrors { code } } }`,
      {
        input: {
          projectId: this.id,
          description: options.description ?? unique("project-key"),
          roles: options.roles ?? ["GROUP_READ_ONLY"],
          accessList: accessListInput(options.accessList),
          ...("expiresAt" in options ? { expiresAt: options.expiresAt } : {}),
        },
      },
    );
    return new KeyFixture(
      this.organization.owner.seed,
      this.client,
      payload.apiKey.id,
      payload.apiKey.publicKey,
      payload.privateKey,
    );
  }

  async assign(key: KeyFixture, roles: string[]): Promise<void> {
    await this.client.mutate(
      `mutation ($input: AssignApiKeyToProjectInput!) {
         assignApiKeyToProject(input: $input) { assignment { roles } userErrors { code } } }`,
      { input: { projectId: this.id, apiKeyId: key.id, roles } },
    );
  }
}

/**
 * An API key with one of its private keys. `admin` (the organization owner who made it) changes
 * it unless a call says `by`; `rotate` returns a fixture holding the new private key, while this
 * one keeps the old.
 */
export class KeyFixture {
  readonly client: Client;

  constructor(
    readonly seed: Seed,
    readonly admin: Client,
    readonly id: string,
    readonly publicKey: string,
    readonly privateKey: string,
  ) {
    this.client = seed.client.as({ kind: "apiKey", publicKey, privateKey });
  }

  async rotate(options: { gracePeriodSeconds?: number; by?: Client } = {}): Promise<KeyFixture> {
    const payload = await (options.by ?? this.admin).mutate(
      `mutation ($input: RotateApiKeySecretInput!) {
         rotateApiKeySecret(input: $input) { apiKey { id } privateKey userErrors { code field message } } }`,
      {
        input: {
          apiKeyId: this.id,
          ...(options.gracePeriodSeconds === undefined
            ? {}
            : { gracePeriodSeconds: options.gracePeriodSeconds }),
        },
      },
    );
    return new KeyFixture(this.seed, this.admin, this.id, this.publicKey, payload.privateKey);
  }

  async revokeSecret(secretId: string, by: Client = this.admin): Promise<void> {
    await by.mutate(
      `mutation ($input: RevokeApiKeySecretInput!) {
         revokeApiKeySecret(input: $input) { apiKey { id } userErrors { code field message } } }`,
      { input: { apiKeyId: this.id, secretId } },
    );
  }

  /** The key's live secrets, newest first, as its administrator reads them. */
  async secrets(): Promise<SecretView[]> {
    const { apiKey } = await this.admin.query(
      `query ($id: ID!) { apiKey(id: $id) { ${SECRETS} } }`,
      { id: this.id },
    );
    return apiKey.secrets;
  }

  /** updateOrganizationApiKey as the organization owner; returns the key as it now reads. */
  async update(changes: {
    description?: string;
    roles?: string[];
    enabled?: boolean;
    expiresAt?: string | null;
  }): Promise<{ enabled: boolean; expiresAt: string | null }> {
    const payload = await this.admin.mutate(
      `mutation ($input: UpdateOrganizationApiKeyInput!) {
         updateOrganizationApiKey(input: $input) { apiKey { enabled expiresAt } userErrors { code field message } } }`,
      { input: { apiKeyId: this.id, ...changes } },
    );
    return payload.apiKey;
  }

  /** The same key presented with another private key. */
  withPrivateKey(privateKey: string): KeyFixture {
    return new KeyFixture(this.seed, this.admin, this.id, this.publicKey, privateKey);
  }
}
