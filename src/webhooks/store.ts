// Webhooks in Redis: the definitions (secrets sealed), a delivery cursor per webhook and run, and the
// last deliveries per webhook. Which runs have changed is the run store's `run-changes` set.
import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from '../redis.js';
import type { Sealer } from '../runs/seal.js';
import type { DeliveryAttempt, StoredWebhook, Webhook } from './model.js';

/** How far one webhook got with one run: events up to `sequence` are delivered (or not wanted). */
export interface Cursor {
  sequence: number;
  /** Failed attempts at event `sequence + 1`. */
  attempts: number;
  first_failure_at?: number;
  next_attempt_at?: number;
}

export const MAX_DELIVERIES_KEPT = 1000;

// A cursor outlives its run's last event for a while: the outbox may hand the run over once more
// (a change seen after the claim), and without the cursor every event would be sent again.
const FINISHED_CURSOR_TTL_SECONDS = 24 * 3600;
const CURSOR_TTL_SECONDS = 30 * 24 * 3600;

// SCAN answers for one node only: on a cluster, the keys of our tag sit on one of the masters.
const scanNodes = (redis: RedisClient): Redis[] => (redis instanceof Cluster ? redis.nodes('master') : [redis]);

export class WebhookStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly sealer: Sealer,
  ) {}

  private readonly definitionsKey = () => `${this.prefix}:webhooks`;
  private cursorKey = (name: string, runId: string) => `${this.prefix}:webhook:${name}:cursor:${runId}`;
  private deliveriesKey = (name: string) => `${this.prefix}:webhook:${name}:deliveries`;

  async put(webhook: Webhook, secret: string): Promise<void> {
    const stored: StoredWebhook = { ...webhook, sealed_secret: this.sealer.seal(secret) };
    await this.redis.hset(this.definitionsKey(), webhook.name, JSON.stringify(stored));
  }

  async get(name: string): Promise<StoredWebhook | undefined> {
    const raw = await this.redis.hget(this.definitionsKey(), name);
    return raw ? (JSON.parse(raw) as StoredWebhook) : undefined;
  }

  async list(): Promise<StoredWebhook[]> {
    const all = await this.redis.hgetall(this.definitionsKey());
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as StoredWebhook)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  secretOf(webhook: StoredWebhook): string {
    return this.sealer.open<string>(webhook.sealed_secret);
  }

  async delete(name: string): Promise<boolean> {
    const [[, removed]] = (await this.redis.multi().hdel(this.definitionsKey(), name).del(this.deliveriesKey(name)).exec()) as [[Error | null, number]];
    for (const node of scanNodes(this.redis)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', this.cursorKey(name, '*'), 'COUNT', 1000);
        // All in the one slot of the prefix's tag, so one UNLINK holds on a cluster too.
        if (keys.length) await this.redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
    return removed === 1;
  }

  async cursor(name: string, runId: string): Promise<Cursor> {
    const raw = await this.redis.get(this.cursorKey(name, runId));
    return raw ? (JSON.parse(raw) as Cursor) : { sequence: 0, attempts: 0 };
  }

  /** `finished`: the run is final and this webhook has had all of it. */
  async saveCursor(name: string, runId: string, cursor: Cursor, finished: boolean): Promise<void> {
    const ttl = finished ? FINISHED_CURSOR_TTL_SECONDS : CURSOR_TTL_SECONDS;
    await this.redis.set(this.cursorKey(name, runId), JSON.stringify(cursor), 'EX', ttl);
  }

  async recordAttempt(name: string, attempt: DeliveryAttempt): Promise<void> {
    await this.redis
      .multi()
      .lpush(this.deliveriesKey(name), JSON.stringify(attempt))
      .ltrim(this.deliveriesKey(name), 0, MAX_DELIVERIES_KEPT - 1)
      .exec();
  }

  /** Newest first. */
  async deliveries(name: string, limit: number): Promise<DeliveryAttempt[]> {
    const raw = await this.redis.lrange(this.deliveriesKey(name), 0, limit - 1);
    return raw.map((r) => JSON.parse(r) as DeliveryAttempt);
  }
}
