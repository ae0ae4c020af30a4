import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { ArmBudget, aciLanes, budgetsFrom, paceKeys, type Budgets } from '../../src/execution/pacing.js';
import { dropKeys } from '../helpers/service.js';

const redis = new Redis(inject('redisUrl'));
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await dropKeys(redis, prefix);
  await redis.quit();
});
afterEach(() => {
  vi.useRealTimers();
});

function budget(read: { perSecond: number; burst: number }): ArmBudget {
  const prefix = `pace-${crypto.randomUUID()}`;
  prefixes.push(prefix);
  const budgets: Budgets = { read, write: { perSecond: 10, burst: 20 }, delete: { perSecond: 10, burst: 20 } };
  return new ArmBudget(redis, prefix, budgets);
}

describe('ARM budgets as reservations (GCRA on Redis time)', () => {
  it('lets a burst through, then books each caller its own later slot instead of refusing it', async () => {
    const pacer = budget({ perSecond: 2, burst: 20 });
    const waits: number[] = [];
    const slots: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 26; i++) {
      const asked = Date.now();
      waits.push(await pacer.reserve('sp@sub', { read: 1 }, 'lifecycle'));
      slots.push(asked + waits[i]);
    }
    const elapsed = Date.now() - started;
    // The burst, plus what refilled while asking, goes at once.
    const immediate = waits.filter((w) => w === 0).length;
    expect(immediate).toBeGreaterThanOrEqual(20);
    expect(immediate).toBeLessThanOrEqual(20 + Math.ceil((elapsed * 2) / 1000) + 1);
    // The rest get slots 500 ms apart: one delay each, to a slot nobody else holds.
    const later = slots.filter((_, i) => waits[i] > 0);
    expect(later.length).toBeGreaterThan(1);
    for (let i = 1; i < later.length; i++) expect(later[i] - later[i - 1]).toBeGreaterThanOrEqual(490);
  });

  it('puts submissions before watching and watching before cleanup', async () => {
    const pacer = budget({ perSecond: 1, burst: 11 }); // tolerance 10 s: watching 5 s, cleanup none
    let watched = 0;
    while ((await pacer.reserve('sp@sub', { read: 1 }, 'watch', `run-${watched}`)) === 0) watched++;
    expect(watched).toBeGreaterThanOrEqual(5);
    expect(watched).toBeLessThanOrEqual(7);
    expect(await pacer.reserve('sp@sub', { read: 1 }, 'lifecycle')).toBe(0);
    const watch = await pacer.reserve('sp@sub', { read: 1 }, 'watch', 'another');
    const cleanup = await pacer.reserve('sp@sub', { read: 1 }, 'cleanup');
    expect(cleanup).toBeGreaterThan(watch + 4000);
  });

  it('keeps separate budgets per principal and per kind of call', async () => {
    const pacer = budget({ perSecond: 1, burst: 1 });
    expect(await pacer.reserve('a@sub', { read: 1 }, 'lifecycle')).toBe(0);
    expect(await pacer.reserve('a@sub', { read: 1 }, 'lifecycle')).toBeGreaterThan(900);
    expect(await pacer.reserve('b@sub', { read: 1 }, 'lifecycle')).toBe(0);
    expect(await pacer.reserve('a@sub', { write: 1 }, 'lifecycle')).toBe(0);
  });

  it('stretches every watched run evenly when they need more than the budget: no run starves', async () => {
    const pacer = budget({ perSecond: 10, burst: 1 });
    const runs = Array.from({ length: 20 }, (_, i) => `run-${i}`);
    const slots = new Map<string, number[]>(runs.map((r) => [r, []]));
    // Each run asks again as soon as it is answered (as if its poll interval were 0), in the order of
    // its last slot: 20 runs × 1 read at 10 reads/s gives each a read every ⌈20 × 1 ÷ 10⌉ = 2 s.
    for (let round = 0; round < 4; round++) {
      for (const run of runs) {
        const asked = Date.now();
        slots.get(run)!.push(asked + (await pacer.reserve('sp@sub', { read: 1 }, 'watch', run)));
      }
    }
    // A greedy run asking many times in a row gets no more than its share either.
    const greedy: number[] = [];
    for (let i = 0; i < 3; i++) greedy.push(Date.now() + (await pacer.reserve('sp@sub', { read: 1 }, 'watch', 'run-0')));
    for (const [, s] of slots) {
      for (let i = 1; i < s.length; i++) {
        expect(s[i] - s[i - 1]).toBeGreaterThanOrEqual(1900);
        expect(s[i] - s[i - 1]).toBeLessThanOrEqual(2500);
      }
    }
    const last = Math.max(...[...slots.values()].map((s) => s[s.length - 1]));
    const first = Math.min(...[...slots.values()].map((s) => s[0]));
    expect(last - first).toBeLessThanOrEqual(4 * 2000 + 500);
    expect(greedy[1] - greedy[0]).toBeGreaterThanOrEqual(1900);
  });

  it('spends the same budget whatever the host clock says (Redis TIME is the clock)', async () => {
    const pacer = budget({ perSecond: 1, burst: 1 });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3_600_000); // a host one hour fast
    expect(await pacer.reserve('sp@sub', { read: 1 }, 'lifecycle')).toBe(0);
    vi.useRealTimers(); // a correct host
    const correct = await pacer.reserve('sp@sub', { read: 1 }, 'lifecycle');
    expect(correct).toBeGreaterThan(900);
    expect(correct).toBeLessThanOrEqual(1000);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 3_600_000); // and one an hour slow
    const slow = await pacer.reserve('sp@sub', { read: 1 }, 'lifecycle');
    expect(slow).toBeGreaterThan(1900);
    expect(slow).toBeLessThanOrEqual(2000);
  });

  it("paces container group creates and deletes to ACI's own limits (per 5 minutes and per hour)", async () => {
    const prefix = `pace-${crypto.randomUUID()}`;
    prefixes.push(prefix);
    // ARM's write budget is far from binding here: only ACI's limits (100 per 5 min, 300 per hour) can delay.
    const budgets = budgetsFrom({ armReadsPerSecond: 20, armWritesPerSecond: 1000, armDeletesPerSecond: 1000 });
    const pacer = new ArmBudget(redis, prefix, budgets);
    const creates: number[] = [];
    for (let i = 0; i < 200; i++) {
      const asked = Date.now();
      creates.push(asked + (await pacer.reserve('sp@sub', { write: 1, create: 1 }, 'lifecycle')));
    }
    // In no 5-minute window are more than 100 creates booked, nor more than 300 in an hour.
    const most = (slots: number[], windowMs: number) => Math.max(...slots.map((t) => slots.filter((u) => u >= t && u < t + windowMs).length));
    expect(most(creates, 300_000)).toBeLessThanOrEqual(100);
    // The hourly limit binds in the long run (300 an hour is 25 per 5 minutes); its burst is still used.
    expect(most(creates, 300_000)).toBeGreaterThanOrEqual(60);
    expect(most(creates, 3_600_000)).toBeLessThanOrEqual(300);
    // The burst goes at once; after it, each create is booked its own later slot.
    const now = Date.now();
    expect(creates.filter((t) => t <= now + 100).length).toBe(aciLanes(100, 300)[0].burst);
    // Deletes of groups have schedules of their own: creates never delay them, and cleanup (which yields
    // to every other purpose on ARM's budgets) may use ACI's whole delete burst.
    const deletes: number[] = [];
    for (let i = 0; i < 50; i++) deletes.push(await pacer.reserve('sp@sub', { delete: 2, groupDelete: 1 }, 'cleanup'));
    expect(Math.max(...deletes)).toBeLessThan(1000);
    // Other calls are not held back by ACI's limits (creates are booked up to an hour ahead): at most by ARM's
    // own write budget, which the 200 creates also drew on (a fast machine books them within its burst's reach).
    expect(await pacer.reserve('sp@sub', { write: 1 }, 'lifecycle')).toBeLessThan(1000);
  });
});

describe('housekeeping of the schedules (at most once a minute, not on every call)', () => {
  it('gives new keys an expiry at once, and forgets runs not read for 10 minutes at the next housekeeping', async () => {
    const prefix = `pace-${crypto.randomUUID()}`;
    prefixes.push(prefix);
    const pacer = new ArmBudget(redis, prefix, { read: { perSecond: 100, burst: 100 }, write: { perSecond: 10, burst: 20 }, delete: { perSecond: 10, burst: 20 } });
    const { schedules, watched } = paceKeys(prefix, 'sp@sub');
    await pacer.charge('sp@sub', { read: 1 }, 'watch', 'run-1');
    expect(await redis.pttl(schedules)).toBeGreaterThan(3_500_000);
    expect(await redis.pttl(watched)).toBeGreaterThan(500_000);
    // A run last read 11 minutes ago (by Redis' clock) is still counted until the next housekeeping.
    const [seconds] = await redis.time();
    await redis.zadd(watched, Number(seconds) * 1000 - 11 * 60_000, 'run-gone');
    await redis.persist(schedules);
    await pacer.charge('sp@sub', { read: 1 }, 'watch', 'run-1');
    expect(await redis.zscore(watched, 'run-gone')).not.toBeNull();
    expect(await redis.pttl(schedules)).toBe(-1); // not renewed within the minute
    // A minute later (the last housekeeping moved back a minute), the next call does it.
    await redis.hset(schedules, 'hk', Number(seconds) * 1000 - 61_000);
    await pacer.charge('sp@sub', { read: 1 }, 'watch', 'run-1');
    expect(await redis.zscore(watched, 'run-gone')).toBeNull();
    expect(await redis.zscore(watched, 'run-1')).not.toBeNull();
    expect(await redis.pttl(schedules)).toBeGreaterThan(3_500_000);
  });
});
