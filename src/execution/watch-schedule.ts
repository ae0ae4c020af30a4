// The due-set of watched runs: per principal, a zset run id → when its next group read is due (ms,
// Redis' clock), beside the principal's ARM schedules under one hash tag (one cluster slot). Watch
// polls leave BullMQ: the watch loop of every worker drains the due-sets in batches, and one script
// call both claims up to K due runs and books their reads on the principal's read schedule.
//
// A claim is a lease: the claimed run's score moves to now + lease, so a worker that dies holding it
// gives it back when the lease runs out. A poll that finds nothing new puts the run back at
// claimed-at + poll interval (in the next claim call, no write of the run). Claims go oldest-due first,
// so when the watched runs need more reads than the budget gives, each waits its turn in one queue:
// every interval stretches evenly (fair share) and no run starves.
import type { RedisClient } from '../redis.js';
import type { KeyLayout } from '../runs/keys.js';
import { paceKeys, type LaneLimit } from './pacing.js';

// KEYS[1]: the principal's schedules (hash, field 'read' = the read lane's theoretical arrival time);
// KEYS[2]: its due-set. ARGV: most claims, lease ms, read rate, read burst, then pairs of
// (run id, due at ms | -1 to drop) handed back from earlier claims.
// Returns {now, next due (or -1), when the budget allows the next read, claimed run ids...}.
const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local most, lease, rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local back, drop = {'XX'}, {}
for i = 5, #ARGV, 2 do
  local due = tonumber(ARGV[i + 1])
  if due < 0 then drop[#drop + 1] = ARGV[i] else back[#back + 1] = due; back[#back + 1] = ARGV[i] end
end
if #back > 1 then redis.call('ZADD', KEYS[2], unpack(back)) end
if #drop > 0 then redis.call('ZREM', KEYS[2], unpack(drop)) end
local interval = 1000 / rate
-- Watching may run half the burst ahead of the schedule; submission and provisioning (booked by
-- BullMQ steps with the whole burst as tolerance) therefore always go first.
local tolerance = (burst - 1) * interval / 2
local tat = tonumber(redis.call('HGET', KEYS[1], 'read') or '0')
local base = math.max(tat, now)
local afford = 0
if tat - tolerance <= now then afford = math.floor((now + tolerance - base) / interval) + 1 end
local claimed = {}
if afford > 0 and most > 0 then
  claimed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, math.min(most, afford))
end
if #claimed > 0 then
  local leased = {}
  for _, id in ipairs(claimed) do
    leased[#leased + 1] = now + lease
    leased[#leased + 1] = id
  end
  redis.call('ZADD', KEYS[2], unpack(leased))
  tat = base + #claimed * interval
  redis.call('HSET', KEYS[1], 'read', tat)
  redis.call('PEXPIRE', KEYS[1], 3600000)
end
local head = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local result = {now, tonumber(head[2] or '-1'), math.ceil(math.max(tat - tolerance, now))}
for _, id in ipairs(claimed) do result[#result + 1] = id end
return result`;

// KEYS[1]: due-set. ARGV: run id, delay ms. Due after the delay on Redis' clock, unless already there.
const ENTER = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZADD', KEYS[1], 'NX', now + tonumber(ARGV[2]), ARGV[1])`;

export interface Claim {
  /** Redis' time of the claim (ms): the run's next read is due one poll interval after it. */
  now: number;
  /** When the earliest run of the due-set is due (ms, Redis' clock), or undefined when it is empty. */
  nextDue?: number;
  /** When the read budget allows the loop's next read (ms, Redis' clock). */
  budgetAt: number;
  runs: string[];
}

export class WatchSchedule {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly layout: KeyLayout,
    private readonly read: LaneLimit,
  ) {}

  private due = (principal: string) => paceKeys(this.prefix, principal).due;

  /** The principals that have (or had) watched runs; the watch loop claims on each. */
  get principalsKey(): string {
    return `${this.layout.shared}:watched-principals`;
  }

  /** The run is watched by the watch loop from now on: due after `delayMs`. */
  async enter(principal: string, runId: string, delayMs: number): Promise<void> {
    await Promise.all([this.redis.eval(ENTER, 1, this.due(principal), runId, String(Math.round(delayMs))), this.redis.sadd(this.principalsKey, principal)]);
  }

  /** The run is no longer watched (killed, ended): its job carries on. */
  async leave(principal: string, runId: string): Promise<void> {
    await this.redis.zrem(this.due(principal), runId);
  }

  async has(principal: string, runId: string): Promise<boolean> {
    return (await this.redis.zscore(this.due(principal), runId)) !== null;
  }

  /** Every run in the principal's due-set (the reconciler checks runs against them). */
  async members(principal: string): Promise<string[]> {
    return this.redis.zrange(this.due(principal), 0, -1);
  }

  async principals(): Promise<string[]> {
    return this.redis.smembers(this.principalsKey);
  }

  /**
   * Hands back earlier claims (run → next due at, or -1 to drop it) and claims up to `most` due runs,
   * their reads booked on the principal's read schedule, each leased for `leaseMs`.
   */
  async claim(principal: string, most: number, leaseMs: number, handBack: [string, number][] = []): Promise<Claim> {
    const k = paceKeys(this.prefix, principal);
    const args = handBack.flatMap(([id, at]) => [id, String(Math.round(at))]);
    const [now, nextDue, budgetAt, ...runs] = (await this.redis.eval(
      CLAIM, 2, k.schedules, k.due, String(most), String(leaseMs), String(this.read.perSecond), String(this.read.burst), ...args,
    )) as [number, number, number, ...string[]];
    return { now, nextDue: nextDue < 0 ? undefined : nextDue, budgetAt, runs };
  }
}
