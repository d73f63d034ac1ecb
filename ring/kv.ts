/**
 * The ring-state seam: a small compare-and-swap key-value store. The single binary keeps it in
 * memory; separate processes share it through Redis (later). Values are plain JSON-able data.
 */

export interface KV<T> {
  get(key: string): Promise<T | null>;
  /**
   * Read-modify-write: `update` gets the current value (null if none) and returns the new value,
   * or null to leave it unchanged. Retried by the implementation when a concurrent writer won.
   */
  cas(key: string, update: (current: T | null) => T | null): Promise<void>;
  /** Calls `onChange` with every new value until `signal` aborts. */
  watch(key: string, onChange: (value: T | null) => void, signal: AbortSignal): void;
}

/** In-process KV: a map plus synchronous notification of watchers. */
export class MemoryKV<T> implements KV<T> {
  private readonly data = new Map<string, T>();
  private readonly watchers = new Map<string, Set<(v: T | null) => void>>();

  async get(key: string): Promise<T | null> {
    return this.data.get(key) ?? null;
  }

  async cas(key: string, update: (current: T | null) => T | null): Promise<void> {
    const next = update(this.data.get(key) ?? null);
    if (next === null) return;
    this.data.set(key, next);
    for (const w of this.watchers.get(key) ?? []) w(next);
  }

  watch(key: string, onChange: (value: T | null) => void, signal: AbortSignal): void {
    let set = this.watchers.get(key);
    if (!set) {
      set = new Set();
      this.watchers.set(key, set);
    }
    set.add(onChange);
    signal.addEventListener('abort', () => set.delete(onChange), { once: true });
    onChange(this.data.get(key) ?? null);
  }
}
