// Injected faults and counters of every operation received, driven from the control endpoint.
// Shares are drawn from a seeded generator: the same rule and the same requests give the same
// faults every time, without locking into a fixed rhythm that a retry could never escape.

/** hang: the request is never answered; the connection stays open until the client gives up. */
export type FaultKind = 'throttle' | 'server-error' | 'reset' | 'latency' | 'hang';

export interface FaultRule {
  kind: FaultKind;
  /** Fraction of matching requests affected, 0..1. */
  share: number;
  /** Only requests of this ARM operation id (e.g. ContainerGroups_Get); all when absent. */
  operation?: string;
  /** throttle: Retry-After seconds; null sends a 429 without Retry-After (the SDK does not retry those). */
  retryAfterSeconds?: number | null;
  /** server-error: 500 or 503. */
  status?: number;
  latencyMs?: number;
  /** Stop after this many injections. */
  limit?: number;
  /** Seed of the rule's generator (default 1). */
  seed?: number;
}

interface ActiveRule extends FaultRule {
  id: number;
  injected: number;
  random: () => number;
}

/** mulberry32: a small, fast, seeded generator. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private rules: ActiveRule[] = [];
  private nextId = 1;
  readonly operations = new Map<string, number>();
  readonly injected = new Map<string, number>();
  throttled = 0;

  add(rule: FaultRule): number {
    const id = this.nextId++;
    this.rules.push({ ...rule, id, injected: 0, random: seeded(rule.seed ?? 1) });
    return id;
  }

  clear(): void {
    this.rules = [];
  }

  resetCounters(): void {
    this.operations.clear();
    this.injected.clear();
    this.throttled = 0;
  }

  count(operation: string): void {
    this.operations.set(operation, (this.operations.get(operation) ?? 0) + 1);
  }

  /** The faults that apply to this request (at most one of each kind). */
  pick(operation: string): FaultRule[] {
    const picked: FaultRule[] = [];
    for (const rule of this.rules) {
      if (rule.operation && rule.operation.toLowerCase() !== operation.toLowerCase()) continue;
      if (rule.limit !== undefined && rule.injected >= rule.limit) continue;
      if (rule.random() < rule.share) {
        rule.injected++;
        this.injected.set(rule.kind, (this.injected.get(rule.kind) ?? 0) + 1);
        picked.push(rule);
      }
    }
    return picked;
  }

  snapshot() {
    return {
      operations: Object.fromEntries(this.operations),
      injected: Object.fromEntries(this.injected),
      throttled: this.throttled,
      total: [...this.operations.values()].reduce((a, b) => a + b, 0),
    };
  }
}
