/**
 * Announces changes that affect how a key authenticates: the key itself, its roles, assignments
 * or access list, or its organization's setting. Local subscribers (the verified-key cache) hear
 * of a change at once; `publish`, when set, tells the other instances (Postgres NOTIFY).
 */
export type KeyChange =
  { kind: "key"; apiKeyId: string } | { kind: "organization"; organizationId: string };

/** True when `change` touches `key`: the key itself, or every key of its organization. */
export function changeConcerns(
  change: KeyChange,
  key: { readonly id: string; readonly organizationId: string },
): boolean {
  return change.kind === "key"
    ? key.id === change.apiKeyId
    : key.organizationId === change.organizationId;
}

export type KeyChangeListener = (change: KeyChange) => void;

export class KeyChanges {
  private readonly listeners = new Set<KeyChangeListener>();
  private publish: ((change: KeyChange) => Promise<void>) | undefined;

  subscribe(listener: KeyChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setPublisher(publish: (change: KeyChange) => Promise<void>): void {
    this.publish = publish;
  }

  /** Call after the change has committed. */
  keyChanged(apiKeyId: string): Promise<void> {
    return this.announce({ kind: "key", apiKeyId });
  }

  /** Call after the change has committed. */
  organizationChanged(organizationId: string): Promise<void> {
    return this.announce({ kind: "organization", organizationId });
  }

  /** Hands a change to the local subscribers only (used for changes heard from other instances). */
  deliver(change: KeyChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private async announce(change: KeyChange): Promise<void> {
    this.deliver(change);
    await this.publish?.(change);
  }
}
