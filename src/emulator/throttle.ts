// ARM's request limits: token buckets per subscription, principal and operation kind, plus a global
// bucket per subscription at 15× (reference azure-arm-surface §8).

export interface BucketLimits {
  capacity: number;
  refillPerSecond: number;
}

export interface ThrottleLimits {
  read: BucketLimits;
  write: BucketLimits;
  delete: BucketLimits;
}

class Bucket {
  private tokens: number;
  private updated = Date.now();

  constructor(private readonly limits: BucketLimits) {
    this.tokens = limits.capacity;
  }

  private refill(now: number) {
    this.tokens = Math.min(this.limits.capacity, this.tokens + ((now - this.updated) / 1000) * this.limits.refillPerSecond);
    this.updated = now;
  }

  /** Takes a token or says how many seconds until one is there. */
  take(now: number): { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number } {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true, remaining: Math.floor(this.tokens) };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.limits.refillPerSecond)) };
  }
}

export type ThrottleResult =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; retryAfterSeconds: number; kind: string };

export class Throttle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limits: ThrottleLimits) {}

  private bucket(key: string, limits: BucketLimits): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new Bucket(limits)));
    return bucket;
  }

  take(subscriptionId: string, principal: string, kind: 'read' | 'write' | 'delete'): ThrottleResult {
    const now = Date.now();
    const limits = this.limits[kind];
    const global = { capacity: limits.capacity * 15, refillPerSecond: limits.refillPerSecond * 15 };
    const own = this.bucket(`${subscriptionId}|${principal}|${kind}`, limits).take(now);
    if (!own.ok) return { ok: false, retryAfterSeconds: own.retryAfterSeconds, kind };
    const all = this.bucket(`${subscriptionId}|*|${kind}`, global).take(now);
    if (!all.ok) return { ok: false, retryAfterSeconds: all.retryAfterSeconds, kind };
    const plural = `${kind}s`;
    return {
      ok: true,
      headers: {
        [`x-ms-ratelimit-remaining-subscription-${plural}`]: String(own.remaining),
        [`x-ms-ratelimit-remaining-subscription-global-${plural}`]: String(all.remaining),
      },
    };
  }
}
