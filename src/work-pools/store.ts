// Work pools live in one Redis hash (name → the pool, sealed as a whole when SECRETS_KEY is set: its
// templates hold secret defaults) under the prefix's shared tag; they never expire. Every change
// bumps the pool version of each run shard, so that API processes caching compiled pools notice it
// at their next create (see RunStore.create). Each pool as a run was checked against is also kept as
// an immutable revision (id = hash of the stored text), which the worker renders the run with.
import { createHash } from 'node:crypto';
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

  /** The pool and its stored text (sealed or bare JSON), for keeping as a revision. */
  async getStored(name: string): Promise<{ pool: WorkPool; stored: string } | undefined> {
    const stored = await this.redis.hget(this.keys.workPools, name);
    return stored ? { pool: this.open(stored), stored } : undefined;
  }

  /**
   * Keeps `stored` (a pool as stored, or a built-in pool's JSON) as an immutable revision and returns
   * its id. The id is a hash of the stored text (ciphertext when sealed): the same text, the same id.
   * Revisions are never deleted: there is one per pool write that a run was checked against.
   */
  async keepRevision(stored: string, pool: WorkPool): Promise<string> {
    const id = createHash('sha256').update(stored).digest('hex').slice(0, 32);
    // A pool stored in clear before SECRETS_KEY was set is kept sealed all the same.
    const kept = stored.startsWith('{') && this.sealer.sealing ? this.sealer.seal(pool) : stored;
    await this.redis.hsetnx(this.keys.workPoolRevisions, id, kept);
    return id;
  }

  async revision(id: string): Promise<WorkPool | undefined> {
    const stored = await this.redis.hget(this.keys.workPoolRevisions, id);
    return stored ? this.open(stored) : undefined;
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
