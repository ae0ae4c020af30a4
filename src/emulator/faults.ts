// Injected faults and counters of every operation received, driven from the control endpoint.
// Shares are drawn from a seeded generator: the same rule and the same requests give the same
// faults every time, without locking into a fixed rhythm that a retry could never escape.
// Request faults (throttle, server-error, reset, latency, hang) are drawn on every matching ARM request;
// event faults are drawn only on the event they change (a non-zero exit, a deployment PUT, a token
// request), so a rule never spends its share or limit on requests it cannot affect.

/** hang: the request is never answered; the connection stays open until the client gives up. */
export const REQUEST_FAULTS = ['throttle', 'server-error', 'reset', 'latency', 'hang', 'lock'] as const;
export const EVENT_FAULTS = ['restart-after-exit', 'create-failure', 'late-create', 'credential', 'policy-deny'] as const;
/** Applied once, at the moment the rule is posted (no share or draw). */
export const IMMEDIATE_FAULTS = ['repair'] as const;

export type RequestFaultKind = (typeof REQUEST_FAULTS)[number];
export type EventFaultKind = (typeof EVENT_FAULTS)[number];
export type FaultKind = RequestFaultKind | EventFaultKind | (typeof IMMEDIATE_FAULTS)[number];

export interface FaultRule {
  kind: FaultKind;
  /** Fraction of matching requests or events affected, 0..1. */
  share: number;
  /** Only requests of this ARM operation id (e.g. ContainerGroups_Get); all when absent. */
  operation?: string;
  /** throttle: Retry-After seconds; null sends a 429 without Retry-After (the SDK does not retry those). */
  retryAfterSeconds?: number | null;
  /** server-error: 500 or 503. */
  status?: number;
  /** latency: emulated seconds (scaled like every duration); latencyMs is real milliseconds. */
  latencySeconds?: number;
  latencyMs?: number;
  /** Stop after this many injections. */
  limit?: number;
  /** Seed of the rule's generator (default 1). */
  seed?: number;
  /** restart-after-exit: emulated seconds between the exit and the restart. */
  afterSeconds?: number;
  /** restart-after-exit: exit code of the restarted instance (default 0, the dangerous case). */
  exitCode?: number;
  /** restart-after-exit: emulated seconds the restarted instance runs (default: as long as the first). */
  runSeconds?: number;
  /** create-failure: Azure's error code and message, and where it surfaces. */
  code?: string;
  message?: string;
  at?: 'validation' | 'deployment';
  /** create-failure at deployment: the Failed group later runs by itself. */
  recovers?: boolean;
  /** create-failure with recovers: emulated seconds until it does (default 30). */
  recoverSeconds?: number;
  /** late-create: emulated seconds between the PUT and the group's appearance. */
  delaySeconds?: number;
  /** credential: the client id whose token requests fail, and how. */
  clientId?: string;
  reason?: 'wrong-secret' | 'expired';
  /** policy-deny: the policy assignment named in the refusal. */
  policyName?: string;
  /** Event faults: only this resource group / container group / deployment name (all when absent). */
  resourceGroup?: string;
  name?: string;
  /** repair: the container group and how the repair ends. */
  group?: string;
  outcome?: 'running' | 'failed';
  /** repair: emulated seconds Unhealthy (default 2) and Repairing (default 3). */
  unhealthySeconds?: number;
  repairingSeconds?: number;
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

  private draw(rule: ActiveRule): boolean {
    if (rule.limit !== undefined && rule.injected >= rule.limit) return false;
    if (rule.random() >= rule.share) return false;
    rule.injected++;
    this.injected.set(rule.kind, (this.injected.get(rule.kind) ?? 0) + 1);
    return true;
  }

  /** The request faults that apply to this request (at most one per rule). */
  pick(operation: string, request: { kind?: string; resourceGroup?: string } = {}): FaultRule[] {
    return this.rules.filter(
      (rule) =>
        (REQUEST_FAULTS as readonly string[]).includes(rule.kind) &&
        (!rule.operation || rule.operation.toLowerCase() === operation.toLowerCase()) &&
        // A lock refuses only changes (writes and deletes) in its resource group.
        (rule.kind !== 'lock' || ((request.kind === 'write' || request.kind === 'delete') && rule.resourceGroup?.toLowerCase() === request.resourceGroup?.toLowerCase())) &&
        this.draw(rule),
    );
  }

  /** The first rule of this kind that matches the event and wins its draw. */
  drawEvent(kind: EventFaultKind, matches: (rule: FaultRule) => boolean = () => true): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.kind === kind && matches(rule) && this.draw(rule)) return rule;
    }
    return undefined;
  }

  /** Records a fault applied at once (repair), for the counters. */
  applied(kind: FaultKind): void {
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
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

/** Event rules scoped by resource group / name match only that resource. */
export const scopedTo = (rg: string, name: string) => (rule: FaultRule) =>
  (!rule.resourceGroup || rule.resourceGroup.toLowerCase() === rg.toLowerCase()) && (!rule.name || rule.name.toLowerCase() === name.toLowerCase());
