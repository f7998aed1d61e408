import { LRUCache } from "lru-cache";

// Remembers credentials that verified, so that a client sending the same
// token or session cookie again is not verified from scratch on every
// request: in Node, each Web Crypto HMAC or AES-GCM operation is a job sent to
// another thread and back, and that round trip was most of the cost of an
// authenticated request (README, Performance). Edge-safe.
//
// Only successes are kept (a flood of forged tokens cannot fill it), each
// entry with the instant its credential expires, checked on every hit; the
// cache is per key set (a rotated-away key invalidates everything it
// verified), bounded (lru-cache, least recently used out first), and never
// consulted for anything stateful: revocation and the account are still
// looked up by withAuth on every request. The expiry is compared here rather
// than with lru-cache's ttl so that it follows the same clock (and the same
// injectable `now`) as the verification it stands for.

export class VerifiedCache<T extends object> {
  private entries: LRUCache<string, { value: T; expiresAtMs: number }>;
  private source: string | undefined;

  constructor(private readonly maxEntries = 10_000) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  get(source: string, credential: string, now = Date.now()): T | undefined {
    if (source !== this.source) return undefined;
    const entry = this.entries.get(credential);
    if (!entry) return undefined;
    if (now >= entry.expiresAtMs) {
      this.entries.delete(credential);
      return undefined;
    }
    return entry.value;
  }

  set(source: string, credential: string, value: T, expiresAtMs: number): void {
    if (source !== this.source) {
      this.entries = new LRUCache({ max: this.maxEntries });
      this.source = source;
    }
    this.entries.set(credential, { value, expiresAtMs });
  }
}
