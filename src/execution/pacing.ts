// ARM budgets per principal as reservations (GCRA / virtual scheduling), shared by every worker
// process through one Lua script. A step books its calls before it starts and learns the time of its
// own slot; it is delayed once, to that slot, and then runs without asking again. Refusals never spin.
//
// The clock is Redis' TIME, never the host's: a host whose clock is off may run a step early or late
// (BullMQ's delays use host clocks), but it cannot change how much budget the step spends or when
// others may spend theirs.
//
// Priorities are tolerances on one schedule per budget: submission, provisioning, kills and the last
// log read may run up to the whole burst ahead of the schedule, watching half of it, cleanup none of
// it (users wait for detection, not for cleanup). Watching is also shaped for fair share: each
// watched run's reads are spaced at least N × reads ÷ (rate − lifecycle reads/s) apart (N = runs
// watched on the principal), so when the budget is short every run's interval stretches evenly and
// no run starves; as load falls the interval shrinks back to the run's own poll interval.
import type { RedisClient } from '../redis.js';

export type Lane = 'read' | 'write' | 'delete';
export type Purpose = 'lifecycle' | 'watch' | 'cleanup';
export type Calls = Partial<Record<Lane, number>>;

export interface LaneLimit {
  perSecond: number;
  burst: number;
}

export type Budgets = Record<Lane, LaneLimit>;

/** How long ago a watched run's last read may be before it no longer counts toward N. */
const WATCH_FORGET_MS = 10 * 60_000;
/** Time constant of the decaying count of lifecycle reads (their rate = count ÷ this). */
const LIFECYCLE_WINDOW_MS = 10_000;

// KEYS[1]: the principal's schedules (hash); KEYS[2]: its watched runs (zset run → last slot, ms).
// ARGV: mode ('reserve' | 'charge'), purpose, run id, lifecycle window, forget-after, read rate,
// then per lane: name, calls, per-second, burst.
// Returns the wait in ms until the booked slot (0: go now).
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mode, purpose, run = ARGV[1], ARGV[2], ARGV[3]
local window, forget, readRate = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local lc = tonumber(redis.call('HGET', KEYS[1], 'lc') or '0')
local lct = tonumber(redis.call('HGET', KEYS[1], 'lct') or tostring(now))
lc = lc * math.exp(-math.max(0, now - lct) / window)
local desired = now
local reads = 0
for i = 7, #ARGV, 4 do
  if ARGV[i] == 'read' then reads = tonumber(ARGV[i + 1]) end
end
if purpose == 'watch' and run ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - forget)
  local last = redis.call('ZSCORE', KEYS[2], run)
  local n = redis.call('ZCARD', KEYS[2])
  if not last then n = n + 1 end
  local share = math.max(readRate * 0.1, readRate - lc * 1000 / window)
  if last and mode == 'reserve' then desired = math.max(now, tonumber(last) + n * reads * 1000 / share) end
elseif run ~= '' then
  redis.call('ZREM', KEYS[2], run)
end
local slot = desired
if mode == 'reserve' then
  for i = 7, #ARGV, 4 do
    local n, rate, burst = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
    if n > 0 then
      local tat = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
      local tau = (burst - 1) * 1000 / rate
      if purpose == 'watch' then tau = tau / 2 elseif purpose == 'cleanup' then tau = 0 end
      slot = math.max(slot, tat - tau)
    end
  end
end
for i = 7, #ARGV, 4 do
  local n, rate = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  if n > 0 then
    local tat = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
    redis.call('HSET', KEYS[1], ARGV[i], math.max(tat, slot) + n * 1000 / rate)
  end
end
if purpose == 'watch' and run ~= '' then redis.call('ZADD', KEYS[2], slot, run) end
if purpose == 'lifecycle' then lc = lc + reads end
redis.call('HSET', KEYS[1], 'lc', lc, 'lct', now)
redis.call('PEXPIRE', KEYS[1], 3600000)
redis.call('PEXPIRE', KEYS[2], forget)
return math.ceil(slot - now)`;

export class ArmBudget {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly budgets: Budgets,
  ) {}

  private keys(principal: string): [string, string] {
    // One hash tag per principal: both keys live on one cluster slot, as one script needs.
    const base = `${this.prefix}:pace:{${principal}}`;
    return [base, `${base}:watch`];
  }

  private async book(mode: 'reserve' | 'charge', principal: string, calls: Calls, purpose: Purpose, runId = ''): Promise<number> {
    const lanes = (Object.keys(this.budgets) as Lane[]).flatMap((lane) => {
      const n = calls[lane] ?? 0;
      return n > 0 ? [lane, String(n), String(this.budgets[lane].perSecond), String(this.budgets[lane].burst)] : [];
    });
    if (lanes.length === 0 && purpose !== 'watch' && !runId) return 0;
    const args = [mode, purpose, runId, String(LIFECYCLE_WINDOW_MS), String(WATCH_FORGET_MS), String(this.budgets.read.perSecond), ...lanes];
    const wait = (await this.redis.eval(RESERVE, 2, ...this.keys(principal), ...args)) as number;
    return Math.max(0, wait);
  }

  /**
   * Books `calls` at the earliest slot the purpose's priority allows; 0 when that is now, otherwise
   * the milliseconds to wait, after which the caller runs without booking again.
   */
  reserve(principal: string, calls: Calls, purpose: Purpose, runId?: string): Promise<number> {
    return this.book('reserve', principal, calls, purpose, runId);
  }

  /** Books calls a running step finds it must make after all (it makes them now; later slots move back). */
  async charge(principal: string, calls: Calls, purpose: Purpose, runId?: string): Promise<void> {
    await this.book('charge', principal, calls, purpose, runId);
  }
}

/** ARM's per-principal budgets (ARM: reads 25/s burst 250; writes and deletes 10/s burst 200), below the limits. */
export function budgetsFrom(config: { armReadsPerSecond: number; armWritesPerSecond: number; armDeletesPerSecond: number }): Budgets {
  const lane = (perSecond: number, cap: number): LaneLimit => ({ perSecond, burst: Math.max(1, Math.min(cap, Math.round(perSecond * 8))) });
  return { read: lane(config.armReadsPerSecond, 200), write: lane(config.armWritesPerSecond, 160), delete: lane(config.armDeletesPerSecond, 160) };
}
