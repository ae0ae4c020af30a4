// Work pools live in one Redis hash: name → the pool, sealed as a whole when SECRETS_KEY is set
// (its templates hold secret defaults: env secrets, registry passwords, service principal secrets).
import type { Redis } from 'ioredis';
import type { Sealer } from '../runs/seal.js';
import type { WorkPool } from './model.js';

export class WorkPoolStore {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly sealer: Sealer,
  ) {
    this.key = `${prefix}:work-pools`;
  }

  /** Pools written before sealing existed are bare JSON; they are sealed on their next write. */
  private open(raw: string): WorkPool {
    return raw.startsWith('{') ? (JSON.parse(raw) as WorkPool) : this.sealer.open<WorkPool>(raw);
  }

  async get(name: string): Promise<WorkPool | undefined> {
    const raw = await this.redis.hget(this.key, name);
    return raw ? this.open(raw) : undefined;
  }

  async list(): Promise<WorkPool[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.values(all).map((raw) => this.open(raw));
  }

  async put(pool: WorkPool): Promise<void> {
    await this.redis.hset(this.key, pool.name, this.sealer.seal(pool));
  }

  async delete(name: string): Promise<boolean> {
    return (await this.redis.hdel(this.key, name)) === 1;
  }
}
