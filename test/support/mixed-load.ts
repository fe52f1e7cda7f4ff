import { setTimeout as sleep } from "node:timers/promises";
import type { Client, GraphQLResult } from "./client";
import { sample, type Sample, type Verdict } from "./sampling";
import { Seed, unique, type KeyFixture, type OrganizationFixture, type UserActor } from "./seed";

const VIEWER = `{ viewer { __typename ... on ApiKey { id } } }`;
const KEY_PAGE = `query ($id: ID!) {
  organization(id: $id) { apiKeys(first: 20) { edges { node { id description accessList { cidrBlock } } } } } }`;
const CREATE_ORGANIZATION_KEY = `mutation ($input: CreateOrganizationApiKeyInput!) {
  createOrganizationApiKey(input: $input) { apiKey { id publicKey } privateKey userErrors { code } } }`;
const CREATE_PROJECT_KEY = `mutation ($input: CreateProjectApiKeyInput!) {
  createProjectApiKey(input: $input) { apiKey { id publicKey } privateKey userErrors { code } } }`;
const ADD_ENTRIES = `mutation ($input: AddApiKeyAccessListEntriesInput!) {
  addApiKeyAccessListEntries(input: $input) { apiKey { id } userErrors { code } } }`;

export type MutationKind =
  "createOrganizationApiKey" | "createProjectApiKey" | "addApiKeyAccessListEntries";

/** One mutation the load sent, what it asked for, and how it was answered. */
export interface SentMutation {
  kind: MutationKind;
  /** "ok": answered with success; "clean failure": answered 503; "unclean": anything else, no answer included. */
  verdict: Verdict;
  organizationId: string;
  projectId?: string;
  /** Unique per creation: how the key is found afterwards. */
  description?: string;
  /** The key created (on success) or the key whose access list was extended. */
  apiKeyId?: string;
  publicKey?: string;
  privateKey?: string;
  /** Canonical CIDR blocks asked for: the whole access list of a creation, or the entries added. */
  cidrBlocks: string[];
  projectRoles?: string[];
}

/** Who the load acts as: one organization, project and viewer key per loop, one owner of all. */
export interface LoadActors {
  owner: UserActor;
  loops: {
    organization: OrganizationFixture;
    projectId: string;
    viewerKey: KeyFixture;
  }[];
}

export async function seedLoadActors(client: Client, loops: number): Promise<LoadActors> {
  const owner = await new Seed(client).user();
  const actors: LoadActors = { owner, loops: [] };
  for (let i = 0; i < loops; i++) {
    const organization = await owner.organization();
    const project = await organization.project();
    const viewerKey = await organization.apiKey({ roles: ["ORG_MEMBER"] });
    actors.loops.push({ organization, projectId: project.id, viewerKey });
  }
  return actors;
}

/**
 * The mixed load of the restart and crash tests: concurrent loops of key-authenticated reads,
 * owner key-list reads, organization and project key creations with access lists, and access-list
 * additions, each request bounded in time and judged. Records every mutation with what it asked
 * for, so a test can check afterwards that each is present, absent or whole as its answer allows.
 */
export class MixedLoad {
  readonly samples: Sample[] = [];
  readonly mutations: SentMutation[] = [];
  /** When each admitted key-authenticated read was answered, per viewer key id. */
  readonly admitted = new Map<string, number[]>();
  /** Mutations sent and not answered yet: a crash test kills while one is. */
  inFlightMutations = 0;
  private stopped = false;
  private running: Promise<void>[] = [];

  constructor(readonly actors: LoadActors) {}

  start(): void {
    this.running = this.actors.loops.map((_, index) => this.loop(index));
  }

  /** Resolves once some mutation is on its way (or after `timeoutMs`): the moment to crash. */
  async mutationInFlight(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlightMutations === 0 && Date.now() < deadline) await sleep(2);
    return this.inFlightMutations > 0;
  }

  /** Stops every loop after its current request and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
  }

  private async loop(index: number): Promise<void> {
    const { organization, projectId, viewerKey } = this.actors.loops[index];
    const owner = this.actors.owner.client;
    const admitted: number[] = [];
    this.admitted.set(viewerKey.id, admitted);
    let latestKey: string | undefined;
    let added = 0;
    for (let step = 0; !this.stopped; step++) {
      switch (step % 6) {
        case 0:
        case 3: {
          const read = await this.record(sample("key viewer", () => viewerKey.client.raw(VIEWER)));
          if (read.verdict === "ok") admitted.push(read.answeredAt);
          break;
        }
        case 1:
          await this.record(sample("key list", () => owner.raw(KEY_PAGE, { id: organization.id })));
          break;
        case 2: {
          const created = await this.create("createOrganizationApiKey", owner, {
            organizationId: organization.id,
            roles: ["ORG_MEMBER"],
            accessList: [
              { cidrBlock: "127.0.0.0/8" },
              { cidrBlock: `10.${index}.${step % 256}.0/24` },
              { ipAddress: "192.0.2.1" },
            ],
          });
          if (created.verdict === "ok") latestKey = created.apiKeyId;
          break;
        }
        case 4: {
          if (!latestKey) break;
          const addresses = [added++, added++].map(
            (n) => `172.${16 + index}.${(n >> 8) & 255}.${n & 255}`,
          );
          const mutation: SentMutation = {
            kind: "addApiKeyAccessListEntries",
            verdict: "unclean",
            organizationId: organization.id,
            apiKeyId: latestKey,
            cidrBlocks: addresses.map((address) => `${address}/32`),
          };
          const result = await this.mutate(mutation.kind, () =>
            owner.raw(ADD_ENTRIES, {
              input: {
                apiKeyId: latestKey,
                entries: addresses.map((ipAddress) => ({ ipAddress })),
              },
            }),
          );
          mutation.verdict = result.verdict;
          this.mutations.push(mutation);
          break;
        }
        default:
          await this.create("createProjectApiKey", owner, {
            projectId,
            roles: ["GROUP_READ_ONLY"],
            accessList: [{ cidrBlock: "127.0.0.0/8" }, { ipAddress: `203.0.113.${step % 256}` }],
          });
      }
    }
  }

  private async create(
    kind: "createOrganizationApiKey" | "createProjectApiKey",
    owner: Client,
    input: {
      organizationId?: string;
      projectId?: string;
      roles: string[];
      accessList: { cidrBlock?: string; ipAddress?: string }[];
    },
  ): Promise<SentMutation> {
    const description = unique("load");
    const index = this.actors.loops.findIndex(
      (loop) => loop.organization.id === input.organizationId || loop.projectId === input.projectId,
    );
    const mutation: SentMutation = {
      kind,
      verdict: "unclean",
      organizationId: this.actors.loops[index].organization.id,
      projectId: input.projectId,
      description,
      cidrBlocks: input.accessList.map((entry) => entry.cidrBlock ?? `${entry.ipAddress}/32`),
      projectRoles: input.projectId ? input.roles : undefined,
    };
    const query =
      kind === "createOrganizationApiKey" ? CREATE_ORGANIZATION_KEY : CREATE_PROJECT_KEY;
    const result = await this.mutate(kind, () =>
      owner.raw(query, { input: { ...input, description } }),
    );
    mutation.verdict = result.verdict;
    const payload = result.result?.data?.[kind];
    if (result.verdict === "ok") {
      mutation.apiKeyId = payload.apiKey.id;
      mutation.publicKey = payload.apiKey.publicKey;
      mutation.privateKey = payload.privateKey;
    }
    this.mutations.push(mutation);
    return mutation;
  }

  private async mutate(kind: MutationKind, call: () => Promise<GraphQLResult>): Promise<Sample> {
    this.inFlightMutations += 1;
    try {
      return await this.record(sample(kind, call));
    } finally {
      this.inFlightMutations -= 1;
    }
  }

  private async record(pending: Promise<Sample>): Promise<Sample> {
    const done = await pending;
    this.samples.push(done);
    return done;
  }
}
