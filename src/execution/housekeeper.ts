// Housekeeping (reconciler, orphan sweeper) runs on one worker process at a time: the one holding a
// lease in Redis. The holder renews it every third of the lease; if it dies, the lease expires and
// another worker takes over within one lease. Every worker keeps trying, so one always holds it.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis.js';
import { luaScript } from '../redis-script.js';
import type { Logger } from 'pino';

// Take the lease if free, or renew it if ours. KEYS: lease. ARGV: holder id, lease ms.
const HOLD = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const holdLease = luaScript('acifrHousekeeperHold', 1, HOLD);

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const releaseLease = luaScript('acifrHousekeeperRelease', 1, RELEASE);

export interface Chore {
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
}

export interface Housekeeper {
  readonly id: string;
  isHolder(): boolean;
  /** Stops; gives the lease back when `release` (a clean shutdown), else lets it expire (as a crash would). */
  close(release?: boolean): Promise<void>;
}

export function startHousekeeper(redis: RedisClient, prefix: string, leaseMs: number, chores: Chore[], log: Logger): Housekeeper {
  const id = randomUUID();
  const key = `${prefix}:housekeeper`;
  let holder = false;
  const running = new Set<string>();

  const perform = (chore: Chore) => {
    // Never two of the same chore at once, even when one outlasts its interval.
    if (!holder || running.has(chore.name)) return;
    running.add(chore.name);
    void chore
      .run()
      .catch((err) => log.error({ err }, `${chore.name} failed`))
      .finally(() => running.delete(chore.name));
  };

  const hold = async () => {
    const was = holder;
    try {
      holder = ((await holdLease(redis, key, id, String(leaseMs))) as number) === 1;
    } catch (err) {
      holder = false; // without Redis we cannot know that no one else holds it
      log.warn({ err }, 'housekeeping lease could not be renewed');
    }
    if (holder && !was) {
      log.info({ holder: id }, 'this worker now does the housekeeping');
      for (const chore of chores) perform(chore); // at once on taking over: a crash may have left work
    }
  };

  const timers = [setInterval(() => void hold(), Math.max(50, Math.floor(leaseMs / 3))), ...chores.map((c) => setInterval(() => perform(c), c.intervalMs))];
  for (const timer of timers) timer.unref();
  void hold();

  return {
    id,
    isHolder: () => holder,
    async close(release = true) {
      for (const timer of timers) clearInterval(timer);
      if (release && holder) await releaseLease(redis, key, id).catch(() => undefined);
      holder = false;
    },
  };
}
