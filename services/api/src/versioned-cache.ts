/**
 * Values computed once per (key, version) and shared by every request that needs them: 50
 * dashboards polling one 100k-trial search pay one computation per change of its version, and
 * concurrent requests for the same version wait on the same promise.
 *
 * Versions only grow (the database's counters), so an entry computed at a version newer than
 * the one asked for is served as is — its content is at least as new as the caller's ETag, which
 * is the guarantee the routes give (an extra 200 at worst, never a stale body under a newer tag).
 * One entry per key, at most `maxKeys` keys (least recently used out); a failed computation is
 * dropped so the next request retries.
 */
export class VersionedCache<T> {
  private readonly entries = new Map<string, { version: bigint; value: Promise<T> }>();

  constructor(private readonly maxKeys: number) {
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new Error(`VersionedCache: maxKeys must be a positive integer, got ${maxKeys}`);
  }

  /** The value for `key` at `version` or newer; `compute` runs only when no such entry exists. */
  get(key: string, version: bigint, compute: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (!entry || entry.version < version) {
      const fresh = { version, value: compute() };
      fresh.value.catch(() => {
        if (this.entries.get(key) === fresh) this.entries.delete(key);
      });
      entry = fresh;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
    return entry.value;
  }

  /** Forgets a key (its search was deleted). */
  delete(key: string): void {
    this.entries.delete(key);
  }
}
