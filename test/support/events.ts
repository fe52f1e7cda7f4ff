import assert from "node:assert/strict";
import type { Client } from "./client";

/** An event as the tests compare it: ids of what it names, every other field as read. */
export interface EventView {
  id: string;
  type: string;
  createdAt: string;
  actor: string | null;
  actorLabel: string;
  remoteAddress: string;
  organization: string;
  project: string | null;
  targetApiKey: string | null;
  targetPublicKey: string | null;
  targetUser: string | null;
  roles: string[] | null;
  accessListEntry: string | null;
}

export const EVENT_FIELDS = `id type createdAt actorLabel remoteAddress targetPublicKey roles accessListEntry
  actor { __typename ... on User { id } ... on ApiKey { id } }
  organization { id } project { id } targetApiKey { id } targetUser { id }`;

const CONNECTION = `totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${EVENT_FIELDS} } }`;

export const ORGANIZATION_EVENTS = `query ($id: ID!, $first: Int, $after: String, $filter: EventFilter) {
  organization(id: $id) { events(first: $first, after: $after, filter: $filter) { ${CONNECTION} } } }`;

export const PROJECT_EVENTS = `query ($id: ID!, $first: Int, $after: String, $filter: EventFilter) {
  project(id: $id) { events(first: $first, after: $after, filter: $filter) { ${CONNECTION} } } }`;

interface RawEvent {
  id: string;
  type: string;
  createdAt: string;
  actorLabel: string;
  remoteAddress: string;
  targetPublicKey: string | null;
  roles: string[] | null;
  accessListEntry: string | null;
  actor: { id: string } | null;
  organization: { id: string };
  project: { id: string } | null;
  targetApiKey: { id: string } | null;
  targetUser: { id: string } | null;
}

export interface EventPage {
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
  events: EventView[];
}

export function viewOf(raw: RawEvent): EventView {
  return {
    id: raw.id,
    type: raw.type,
    createdAt: raw.createdAt,
    actor: raw.actor?.id ?? null,
    actorLabel: raw.actorLabel,
    remoteAddress: raw.remoteAddress,
    organization: raw.organization.id,
    project: raw.project?.id ?? null,
    targetApiKey: raw.targetApiKey?.id ?? null,
    targetPublicKey: raw.targetPublicKey,
    targetUser: raw.targetUser?.id ?? null,
    roles: raw.roles,
    accessListEntry: raw.accessListEntry,
  };
}

/** One page of an organization's (or, with `scope: "project"`, a project's) events, newest first. */
export async function eventPage(
  client: Client,
  id: string,
  args: { first?: number; after?: string; filter?: Record<string, unknown> } = {},
  scope: "organization" | "project" = "organization",
): Promise<EventPage> {
  const data = await client.query(scope === "organization" ? ORGANIZATION_EVENTS : PROJECT_EVENTS, {
    id,
    first: args.first ?? 100,
    after: args.after,
    filter: args.filter,
  });
  const connection = data[scope].events;
  return {
    totalCount: connection.totalCount,
    hasNextPage: connection.pageInfo.hasNextPage,
    endCursor: connection.pageInfo.endCursor,
    events: connection.edges.map((edge: { node: RawEvent }) => viewOf(edge.node)),
  };
}

/**
 * Watches one organization's audit trail through the GraphQL API, as its owner reads it:
 * `await trail.mark()` before a mutation, `await trail.newEvents()` after it gives the events it
 * recorded, oldest first (the order they were recorded in).
 */
export class EventTrail {
  private seen = new Set<string>();

  constructor(
    readonly reader: Client,
    readonly organizationId: string,
  ) {}

  /** Everything recorded so far counts as seen. */
  async mark(): Promise<void> {
    for (const event of await this.all()) this.seen.add(event.id);
  }

  /** Events recorded since the last `mark()` or `newEvents()`, oldest first. */
  async newEvents(): Promise<EventView[]> {
    const fresh = (await this.all()).filter((event) => !this.seen.has(event.id));
    for (const event of fresh) this.seen.add(event.id);
    return fresh.reverse();
  }

  /** Runs `change` and asserts the events it records, oldest first, on the fields `expected` names. */
  async assertRecords(change: () => Promise<unknown>, expected: ExpectedEvent[]) {
    await this.mark();
    await change();
    const recorded = await this.newEvents();
    assert.deepEqual(pick(recorded, expected), expected, JSON.stringify(recorded, null, 2));
    assert.equal(recorded.length, expected.length);
    return recorded;
  }

  /** Runs `change` and asserts that it records no event. */
  async assertRecordsNothing(change: () => Promise<unknown>): Promise<void> {
    await this.mark();
    await change();
    assert.deepEqual(await this.newEvents(), []);
  }

  /** Every event of the organization, newest first. */
  async all(): Promise<EventView[]> {
    const events: EventView[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await eventPage(this.reader, this.organizationId, { first: 100, after });
      events.push(...page.events);
      if (!page.hasNextPage) return events;
      after = page.endCursor!;
    }
  }
}

/** What a test states about an event: the fields it cares about, the rest left out. */
export type ExpectedEvent = Partial<Omit<EventView, "id" | "createdAt">> & { type: string };

/** The fields of `actual` that `expected` names, so `deepEqual` compares just those. */
export function pick(actual: EventView[], expected: ExpectedEvent[]): Partial<EventView>[] {
  return actual.map((event, index) => {
    const wanted = expected[index] ?? { type: "" };
    return Object.fromEntries(
      Object.keys(wanted).map((field) => [field, event[field as keyof EventView]]),
    );
  });
}
