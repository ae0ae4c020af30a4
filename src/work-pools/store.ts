// Work pools live in one Redis hash (name → the pool, sealed as a whole when SECRETS_KEY is set: its
// templates hold secret defaults) under the prefix's shared tag; they never expire. Every change
// bumps the pool version of each run shard, so that API processes caching compiled pools notice it
// at their next create (see RunStore.create).
import type { RedisClient } from '../redis.js';
import type { KeyLayout } from '../runs/keys.js';
import type { Sealer } from '../runs/seal.js';
import type { WorkPool } from './model.js';

export class WorkPoolStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: KeyLayout,
    private readonly sealer: Sealer,
  ) {}

  /** Pools written before sealing existed are bare JSON; they are sealed on their next write. */
  private open(raw: string): WorkPool {
    return raw.startsWith('{') ? (JSON.parse(raw) as WorkPool) : this.sealer.open<WorkPool>(raw);
  }

  async get(name: string): Promise<WorkPool | undefined> {
    const raw = await this.redis.hget(this.keys.workPools, name);
    return raw ? this.open(raw) : undefined;
  }

  async list(): Promise<WorkPool[]> {
    const all = await this.redis.hgetall(this.keys.workPools);
    return Object.values(all).map((raw) => this.open(raw));
  }

  async put(pool: WorkPool): Promise<void> {
    await this.redis.hset(this.keys.workPools, pool.name, this.sealer.seal(pool));
    await this.bumpVersion();
  }

  async delete(name: string): Promise<boolean> {
    const deleted = (await this.redis.hdel(this.keys.workPools, name)) === 1;
    if (deleted) await this.bumpVersion();
    return deleted;
  }

  /** The pool version as a create in shard 0 will check it. */
  async version(): Promise<string> {
    return (await this.redis.get(this.keys.shardKeys(0).poolVersion)) ?? '0';
  }

  /** After the pool itself is written: a reader that sees the new version reads the new pool. */
  private async bumpVersion(): Promise<void> {
    const version = String(await this.redis.incr(`${this.keys.shared}:pool-version`));
    await Promise.all(this.keys.allShards().map((shard) => this.redis.set(this.keys.shardKeys(shard).poolVersion, version)));
  }
}
