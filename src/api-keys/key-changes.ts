/**
 * Announces changes that affect how a key authenticates (the key, its roles, assignments, access
 * list, or its organization's setting). Caches of verified keys subscribe to drop stale entries.
 */
export type KeyChangeListener = (change: KeyChange) => void;
export type KeyChange =
  { kind: "key"; apiKeyId: string } | { kind: "organization"; organizationId: string };

export class KeyChanges {
  private readonly listeners = new Set<KeyChangeListener>();

  subscribe(listener: KeyChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async keyChanged(apiKeyId: string): Promise<void> {
    this.emit({ kind: "key", apiKeyId });
  }

  async organizationChanged(organizationId: string): Promise<void> {
    this.emit({ kind: "organization", organizationId });
  }

  protected emit(change: KeyChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
