// Runs in Redis. Every write is a compare-and-set on the run's version, so the API and any number of
// workers can change a run without losing each other's updates.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isTerminal, type Run, type RunSpec } from './model.js';
import type { Sealer } from './seal.js';

export interface LogLine {
  /** RFC 3339 timestamp as Azure wrote it. */
  ts: string;
  line: string;
}

const CAS = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
local version = cjson.decode(current)['version']
if tostring(version) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

const ACQUIRE_SLOT = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('SADD', KEYS[1], ARGV[1])
  return 1
end
return 0`;

export const MAX_LOG_LINES = 10_000;

/** Where runs put container groups, with the credentials to look there (for the orphan sweeper). */
export type Scope = Pick<RunSpec, 'subscription_id' | 'resource_group_name' | 'credentials'>;

const scopeOf = (spec: RunSpec): Scope => ({
  subscription_id: spec.subscription_id,
  resource_group_name: spec.resource_group_name,
  credentials: spec.credentials,
});
const scopeId = (spec: RunSpec) => createHash('sha256').update(JSON.stringify(scopeOf(spec))).digest('hex');

export class RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly sealer: Sealer,
  ) {}

  private key = (id: string) => `${this.prefix}:run:${id}`;
  private specKey = (id: string) => `${this.prefix}:run:${id}:spec`;
  private logKey = (id: string) => `${this.prefix}:run:${id}:logs`;
  private readonly indexKey = () => `${this.prefix}:run-index`;
  private readonly activeKey = () => `${this.prefix}:run-active`;
  private slotsKey = (pool: string) => `${this.prefix}:pool-slots:${pool}`;
  private readonly transitionsKey = () => `${this.prefix}:metrics:transitions`;
  private readonly scopesKey = () => `${this.prefix}:scopes`;

  /** How many runs entered each state, ever (for /metrics). */
  async transitionCounts(): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.transitionsKey());
    return Object.fromEntries(Object.entries(raw).map(([state, n]) => [state, Number(n)]));
  }

  async unfinishedCount(): Promise<number> {
    return this.redis.scard(this.activeKey());
  }

  /** Takes one of the pool's run slots (true), or says they are all taken (false). */
  async acquireSlot(pool: string, runId: string, limit: number): Promise<boolean> {
    return ((await this.redis.eval(ACQUIRE_SLOT, 1, this.slotsKey(pool), runId, String(limit))) as number) === 1;
  }

  /** Stores a new run and its spec; false when a run with that id exists. */
  async create(run: Run, spec: RunSpec): Promise<boolean> {
    const created = await this.redis.set(this.key(run.id), JSON.stringify(run), 'NX');
    if (created !== 'OK') return false;
    await this.redis
      .multi()
      .set(this.specKey(run.id), this.sealer.seal(spec))
      .zadd(this.indexKey(), Date.parse(run.submitted_at), run.id)
      .sadd(this.activeKey(), run.id)
      .hincrby(this.transitionsKey(), run.state, 1)
      .hset(this.scopesKey(), scopeId(spec), this.sealer.seal(scopeOf(spec)))
      .exec();
    return true;
  }

  /** Every subscription, resource group and principal runs have used. */
  async scopes(): Promise<Scope[]> {
    return Object.values(await this.redis.hgetall(this.scopesKey())).map((sealed) => this.sealer.open<Scope>(sealed));
  }

  async get(id: string): Promise<Run | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as Run) : undefined;
  }

  async spec(id: string): Promise<RunSpec | undefined> {
    const raw = await this.redis.get(this.specKey(id));
    return raw ? this.sealer.open<RunSpec>(raw) : undefined;
  }

  /**
   * Applies `change` to the current run until it lands. `change` may return undefined to write
   * nothing. Returns the run as stored afterwards.
   */
  async update(id: string, change: (run: Run) => Run | undefined): Promise<Run | undefined> {
    for (;;) {
      const current = await this.get(id);
      if (!current) return undefined;
      const next = change(current);
      if (!next) return current;
      const stored = { ...next, version: current.version + 1 };
      const result = (await this.redis.eval(CAS, 1, this.key(id), String(current.version), JSON.stringify(stored))) as number;
      if (result === 1) {
        if (stored.state !== current.state) await this.redis.hincrby(this.transitionsKey(), stored.state, 1);
        if (isTerminal(stored.state)) {
          // A finished run frees its pool slot at once; it leaves the active set once cleaned up.
          await this.redis.srem(this.slotsKey(stored.work_pool), id);
          if (stored.cleanup?.state !== 'pending') await this.redis.srem(this.activeKey(), id);
        }
        return stored;
      }
      if (result === -1) return undefined;
    }
  }

  /** Ids of runs that are not finished (or still being cleaned up). */
  async activeIds(): Promise<string[]> {
    return this.redis.smembers(this.activeKey());
  }

  /** Newest first, after `position` (runs submitted in the same millisecond are ordered by id). */
  async page(position: { score: number; id: string } | undefined, count: number): Promise<{ score: number; id: string }[]> {
    const max = position === undefined ? '+inf' : String(position.score);
    // Ask for enough to get past the ties at position.score that were already returned.
    const raw = await this.redis.zrevrangebyscore(this.indexKey(), max, '-inf', 'WITHSCORES', 'LIMIT', 0, count + 50);
    const entries: { score: number; id: string }[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const entry = { id: raw[i], score: Number(raw[i + 1]) };
      if (position && entry.score === position.score && entry.id >= position.id) continue;
      entries.push(entry);
    }
    return entries.slice(0, count);
  }

  /** Runs in the order of the ids; undefined where a run is gone. */
  async getMany(ids: string[]): Promise<(Run | undefined)[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map(this.key));
    return raws.map((r) => (r === null ? undefined : (JSON.parse(r) as Run)));
  }

  async appendLogs(id: string, lines: LogLine[]): Promise<void> {
    if (lines.length === 0) return;
    await this.redis
      .multi()
      .rpush(this.logKey(id), ...lines.map((l) => JSON.stringify(l)))
      .ltrim(this.logKey(id), -MAX_LOG_LINES, -1)
      .exec();
  }

  async logs(id: string, from = 0): Promise<LogLine[]> {
    const raw = await this.redis.lrange(this.logKey(id), from, -1);
    return raw.map((r) => JSON.parse(r) as LogLine);
  }
}
