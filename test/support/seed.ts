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

  async apiKey(
    options: { roles?: string[]; accessList?: AccessListEntryInput[]; description?: string } = {},
  ): Promise<KeyFixture> {
    const payload = await this.client.mutate(
      `mutation ($input: CreateOrganizationApiKeyInput!) {
         createOrganizationApiKey(input: $input) { apiKey { id publicKey } privateKey userErrors { code } } }`,
      {
        input: {
          organizationId: this.id,
          description: options.description ?? unique("key"),
          roles: options.roles ?? ["ORG_MEMBER"],
          accessList: accessListInput(options.accessList),
        },
      },
    );
    return new KeyFixture(
      this.owner.seed,
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

  async apiKey(
    options: { roles?: string[]; accessList?: AccessListEntryInput[]; description?: string } = {},
  ): Promise<KeyFixture> {
    const payload = await this.client.mutate(
      `mutation ($input: CreateProjectApiKeyInput!) {
         createProjectApiKey(input: $input) { apiKey { id publicKey } privateKey userErrors { code } } }`,
      {
        input: {
          projectId: this.id,
          description: options.description ?? unique("project-key"),
          roles: options.roles ?? ["GROUP_READ_ONLY"],
          accessList: accessListInput(options.accessList),
        },
      },
    );
    return new KeyFixture(
      this.organization.owner.seed,
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

export class KeyFixture {
  readonly client: Client;

  constructor(
    seed: Seed,
    readonly id: string,
    readonly publicKey: string,
    readonly privateKey: string,
  ) {
    this.client = seed.client.as({ kind: "apiKey", publicKey, privateKey });
  }
}
