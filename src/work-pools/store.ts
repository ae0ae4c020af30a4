// Work pools live in one Redis hash: name → JSON.
import type { Redis } from 'ioredis';
import type { WorkPool } from './model.js';

export class WorkPoolStore {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:work-pools`;
  }

  async get(name: string): Promise<WorkPool | undefined> {
    const raw = await this.redis.hget(this.key, name);
    return raw ? (JSON.parse(raw) as WorkPool) : undefined;
  }

  async list(): Promise<WorkPool[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.values(all).map((raw) => JSON.parse(raw) as WorkPool);
  }

  async put(pool: WorkPool): Promise<void> {
    await this.redis.hset(this.key, pool.name, JSON.stringify(pool));
  }

  async delete(name: string): Promise<boolean> {
    return (await this.redis.hdel(this.key, name)) === 1;
  }
}
