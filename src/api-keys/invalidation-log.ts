import { changeConcerns, type KeyChange } from "./key-changes";

/**
 * The recent invalidations of a cache, so that a fill that raced one is discarded only when that
 * change concerns the value being stored: a change to another key (which, with every instance
 * hearing every change, happens all the time) no longer throws away a fresh read. `null` stands for
 * "everything" (caching switched on or off). When the log no longer reaches back to a ticket, the
 * fill is discarded, as before.
 */
export class InvalidationLog {
  private generation = 0;
  private readonly recent: { generation: number; change: KeyChange | null }[] = [];

  constructor(private readonly capacity = 1_000) {}

  /** Taken before reading from the database. */
  ticket(): number {
    return this.generation;
  }

  record(change: KeyChange | null): void {
    this.generation++;
    this.recent.push({ generation: this.generation, change });
    if (this.recent.length > this.capacity) this.recent.shift();
  }

  /** Whether no change recorded since `ticket` concerns the key (or its organization). */
  unchangedSince(ticket: number, apiKeyId: string, organizationId: string): boolean {
    if (ticket === this.generation) return true;
    if ((this.recent[0]?.generation ?? Infinity) > ticket + 1) return false;
    for (const { generation, change } of this.recent) {
      if (generation <= ticket) continue;
      if (change === null) return false;
      if (changeConcerns(change, { id: apiKeyId, organizationId })) return false;
    }
    return true;
  }
}
