// The process's Prometheus registry (prom-client). Modules register their metrics here; /metrics (API)
// and the METRICS_PORT listener (worker-only processes) serve it.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const PREFIX = 'aci_flow_runner_';

export const httpRequestDuration = new Histogram({
  name: `${PREFIX}http_request_duration_seconds`,
  help: 'API request duration by method, route template and status code.',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const stepDuration = new Histogram({
  name: `${PREFIX}step_duration_seconds`,
  help: 'Duration of one worker step of a run (submit, provision, watch, cancel, finalize, cleanup) by outcome.',
  labelNames: ['step', 'outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const armRequestDuration = new Histogram({
  name: `${PREFIX}arm_request_duration_seconds`,
  help: 'Azure Resource Manager calls by operation and outcome, with their latency.',
  labelNames: ['operation', 'outcome'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const pacerWait = new Histogram({
  name: `${PREFIX}pacer_wait_seconds`,
  help: 'Waits imposed by the ARM read pacer before a step (count = steps deferred), by purpose.',
  labelNames: ['purpose'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: `${PREFIX}webhook_deliveries_total`,
  help: 'Webhook delivery attempts by outcome: delivered (2xx), retrying (failed, tried again later), abandoned (failed past the retry window).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

// Every outcome is shown from the start (at 0), so a rate over it exists before the first failure.
for (const outcome of ['delivered', 'retrying', 'abandoned']) webhookDeliveries.inc({ outcome }, 0);

export const webhookDeliveryDuration = new Histogram({
  name: `${PREFIX}webhook_delivery_duration_seconds`,
  help: 'Time from sending a webhook event to its answer (or to giving up on it), by result: success, http_error, timeout, network_error.',
  labelNames: ['result'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

/** Where the Redis-backed gauges read from: the process's store, queue and connection. */
export interface StoreReadings {
  counts(): Promise<{ transitions: Record<string, number>; unfinished: number }>;
  jobCounts(): Promise<Record<string, number>>;
  redisUp(): Promise<boolean>;
  /** Runs whose state changes some webhook has not had yet: due now, or waiting (retry or lease). */
  webhookPending(): Promise<{ due: number; waiting: number }>;
}

const sources: StoreReadings[] = [];
let readings: StoreReadings | undefined;

/**
 * The gauges below read through the latest source still open, on each scrape. Returns the function
 * that withdraws it (when its connections close).
 */
export function readFrom(source: StoreReadings): () => void {
  sources.push(source);
  readings = source;
  return () => {
    const at = sources.indexOf(source);
    if (at >= 0) sources.splice(at, 1);
    readings = sources.at(-1);
  };
}

// Totals kept in Redis, so every replica reports the same numbers; set on each scrape.
const runTransitions = new Counter({
  name: `${PREFIX}run_transitions_total`,
  help: 'Runs that entered each state (all processes, from Redis).',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    const counts = await readings?.counts().catch(() => undefined);
    if (!counts) return;
    this.reset();
    for (const [state, n] of Object.entries(counts.transitions)) this.inc({ state }, n);
  },
});
void runTransitions;

new Gauge({
  name: `${PREFIX}unfinished_runs`,
  help: 'Runs not final yet or still being cleaned up (from Redis).',
  registers: [registry],
  async collect() {
    const counts = await readings?.counts().catch(() => undefined);
    if (counts) this.set(counts.unfinished);
  },
});

new Gauge({
  name: `${PREFIX}queue_jobs`,
  help: 'Run jobs in the queue by state (waiting, active, delayed, ...).',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    const counts = await readings?.jobCounts().catch(() => undefined);
    if (!counts) return;
    this.reset();
    for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
  },
});

new Gauge({
  name: `${PREFIX}webhook_pending_runs`,
  help: 'Runs with state changes not yet delivered to every webhook (from Redis), by state: due (to send now), waiting (a retry later, or being sent).',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    const pending = await readings?.webhookPending().catch(() => undefined);
    if (!pending) return;
    this.set({ state: 'due' }, pending.due);
    this.set({ state: 'waiting' }, pending.waiting);
  },
});

new Gauge({
  name: `${PREFIX}redis_up`,
  help: '1 when Redis answers a PING, else 0.',
  registers: [registry],
  async collect() {
    this.set(readings && (await readings.redisUp().catch(() => false)) ? 1 : 0);
  },
});

/** The exposition text and its content type. */
export async function scrape(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
