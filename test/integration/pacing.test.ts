import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ReadPacer } from '../../src/execution/pacing.js';

const redis = new Redis(inject('redisUrl'));
afterAll(async () => {
  await redis.quit();
});

describe('read pacing (shared through Redis)', () => {
  it('lets a burst through, then asks callers to wait in proportion to the refill rate', async () => {
    const pacer = new ReadPacer(redis, `pace-${crypto.randomUUID()}`, 10, 20);
    const waits: number[] = [];
    for (let i = 0; i < 20; i++) waits.push(await pacer.take('sp@sub', 1, 'lifecycle'));
    expect(waits.every((w) => w === 0)).toBe(true);
    const wait = await pacer.take('sp@sub', 1, 'lifecycle');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(100);
  });

  it('keeps a reserve that watching cannot take, for submissions and cleanup', async () => {
    const pacer = new ReadPacer(redis, `pace-${crypto.randomUUID()}`, 10, 20);
    let watched = 0;
    while ((await pacer.take('sp@sub', 1, 'watch')) === 0) watched++;
    expect(watched).toBe(15); // a quarter of the 20-token bucket stays for the lifecycle
    expect(await pacer.take('sp@sub', 1, 'lifecycle')).toBe(0);
  });

  it('gives each principal its own bucket', async () => {
    const pacer = new ReadPacer(redis, `pace-${crypto.randomUUID()}`, 1, 1);
    expect(await pacer.take('a@sub', 1, 'lifecycle')).toBe(0);
    expect(await pacer.take('a@sub', 1, 'lifecycle')).toBeGreaterThan(0);
    expect(await pacer.take('b@sub', 1, 'lifecycle')).toBe(0);
  });
});
