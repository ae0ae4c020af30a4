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
import { luaScript } from '../redis-script.js';

export type ArmLane = 'read' | 'write' | 'delete';
/** ACI's own limits on container group creates and deletes, each kept as two schedules (5 min, 1 h). */
export type AciLane = 'aciCreate5m' | 'aciCreate1h' | 'aciDelete5m' | 'aciDelete1h';
export type Lane = ArmLane | AciLane;
export type Purpose = 'lifecycle' | 'watch' | 'cleanup';
/** ARM calls by budget, plus container group creates (`create`) and deletes (`groupDelete`) for ACI's limits. */
export type Calls = Partial<Record<ArmLane | 'create' | 'groupDelete', number>>;

export interface LaneLimit {
  perSecond: number;
  burst: number;
}

export type Budgets = Record<ArmLane, LaneLimit> & Partial<Record<AciLane, LaneLimit>>;

/** Which schedules a kind of call spends. */
const SPENDS: Record<keyof Calls, Lane[]> = {
  read: ['read'],
  write: ['write'],
  delete: ['delete'],
  create: ['aciCreate5m', 'aciCreate1h'],
  groupDelete: ['aciDelete5m', 'aciDelete1h'],
};

/** How long ago a watched run's last read may be before it no longer counts toward N. */
const WATCH_FORGET_MS = 10 * 60_000;
/** Time constant of the decaying count of lifecycle reads (their rate = count ÷ this). */
const LIFECYCLE_WINDOW_MS = 10_000;

// KEYS[1]: the principal's schedules (hash); KEYS[2]: its watched runs (zset run → last slot, ms).
// ARGV: mode ('reserve' | 'charge' | 'try': reserve only if the slot is now), purpose, run id, lifecycle window, forget-after, read rate,
// then per lane: name, calls, per-second, burst.
// Returns the wait in ms until the booked slot (0: go now).
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mode, purpose, run = ARGV[1], ARGV[2], ARGV[3]
local booking = mode ~= 'charge'
local window, forget, readRate = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
-- One read and one write of the schedules hash (Redis work per ARM call stays small).
local fields = {'lc', 'lct', 'hk'}
for i = 7, #ARGV, 4 do fields[#fields + 1] = ARGV[i] end
local stored = redis.call('HMGET', KEYS[1], unpack(fields))
local lc = tonumber(stored[1] or '0')
local lct = tonumber(stored[2] or tostring(now))
-- Housekeeping (forgetting runs no longer read, renewing both keys' expiry) at most once a minute,
-- not on every call: a new schedules hash gets its expiry at once (no 'hk' yet).
local housekeeping = now - tonumber(stored[3] or '0') >= 60000
lc = lc * math.exp(-math.max(0, now - lct) / window)
local tats = {}
for j = 4, #fields do tats[j - 3] = tonumber(stored[j] or '0') end
local desired = now
local reads = 0
for i = 7, #ARGV, 4 do
  if ARGV[i] == 'read' then reads = tonumber(ARGV[i + 1]) end
end
local watchedBefore = 1
if purpose == 'watch' and run ~= '' then
  if housekeeping then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - forget) end
  local last = redis.call('ZSCORE', KEYS[2], run)
  local n = redis.call('ZCARD', KEYS[2])
  watchedBefore = n
  if not last then n = n + 1 end
  local share = math.max(readRate * 0.1, readRate - lc * 1000 / window)
  if last and booking then desired = math.max(now, tonumber(last) + n * reads * 1000 / share) end
elseif run ~= '' then
  redis.call('ZREM', KEYS[2], run)
end
-- ARM's lanes are booked at the earliest slot they all allow; ACI's (lanes named aci…) may put the
-- step later still, but then ARM's calls are counted at their own slot, so that a create waiting for
-- ACI holds no ARM budget meanwhile (the step's ARM calls then go out later than counted, at most at
-- ACI's rate: far inside the margin kept below ARM's budgets).
local armSlot = desired
local slot = desired
if booking then
  for i = 7, #ARGV, 4 do
    local n, rate, burst = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
    if n > 0 then
      local tat = tats[(i - 3) / 4]
      local tau = (burst - 1) * 1000 / rate
      local aci = string.sub(ARGV[i], 1, 3) == 'aci'
      -- Priorities share ARM's budgets; ACI's creates and deletes have one user each: all their burst.
      if aci then
      elseif purpose == 'watch' then tau = tau / 2 elseif purpose == 'cleanup' then tau = 0 end
      if not aci then armSlot = math.max(armSlot, tat - tau) end
      slot = math.max(slot, tat - tau)
    end
  end
end
-- Trying: a step that would have to wait books nothing (it is handed to the loop instead).
if mode == 'try' and slot > now then return math.ceil(slot - now) end
if purpose == 'lifecycle' then lc = lc + reads end
local changes = {'lc', lc, 'lct', now}
if housekeeping then
  changes[#changes + 1] = 'hk'
  changes[#changes + 1] = now
end
for i = 7, #ARGV, 4 do
  local n, rate = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  if n > 0 then
    local at = slot
    if string.sub(ARGV[i], 1, 3) ~= 'aci' then at = armSlot end
    changes[#changes + 1] = ARGV[i]
    changes[#changes + 1] = math.max(tats[(i - 3) / 4], at) + n * 1000 / rate
  end
end
redis.call('HSET', KEYS[1], unpack(changes))
if housekeeping then redis.call('PEXPIRE', KEYS[1], 3600000) end
if purpose == 'watch' and run ~= '' then redis.call('ZADD', KEYS[2], slot, run) end
-- The watched set expires (forget-after ms) after the last housekeeping; one just made gets its expiry at once.
if housekeeping or watchedBefore == 0 then redis.call('PEXPIRE', KEYS[2], forget) end
return math.ceil(slot - now)`;
const reserve = luaScript('acifrPacingReserve', 2, RESERVE);

/**
 * A principal's keys, under one hash tag so that they share a cluster slot, as one script needs:
 * its schedules (hash), its runs watched through BullMQ steps (zset), and the due-set of the watch
 * loop (zset run → when its next read is due; see watch-schedule.ts).
 */
export function paceKeys(prefix: string, principal: string) {
  const base = `${prefix}:pace:{${principal}}`;
  return { schedules: base, watched: `${base}:watch`, due: `${base}:due` };
}

export class ArmBudget {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly budgets: Budgets,
  ) {}

  private keys(principal: string): [string, string] {
    const k = paceKeys(this.prefix, principal);
    return [k.schedules, k.watched];
  }

  private async book(mode: 'reserve' | 'charge' | 'try', principal: string, calls: Calls, purpose: Purpose, runId = ''): Promise<number> {
    const lanes = (Object.keys(calls) as (keyof Calls)[]).flatMap((kind) => {
      const n = calls[kind] ?? 0;
      return SPENDS[kind].flatMap((lane) => {
        const limit = this.budgets[lane];
        return n > 0 && limit ? [lane, String(n), String(limit.perSecond), String(limit.burst)] : [];
      });
    });
    if (lanes.length === 0 && purpose !== 'watch' && !runId) return 0;
    const args = [mode, purpose, runId, String(LIFECYCLE_WINDOW_MS), String(WATCH_FORGET_MS), String(this.budgets.read.perSecond), ...lanes];
    const wait = (await reserve(this.redis, ...this.keys(principal), ...args)) as number;
    return Math.max(0, wait);
  }

  /**
   * Books `calls` at the earliest slot the purpose's priority allows; 0 when that is now, otherwise
   * the milliseconds to wait, after which the caller runs without booking again.
   */
  reserve(principal: string, calls: Calls, purpose: Purpose, runId?: string): Promise<number> {
    return this.book('reserve', principal, calls, purpose, runId);
  }

  /**
   * Books `calls` only if the purpose's priority allows them now (0); otherwise books nothing and
   * says how long a booking would have had to wait.
   */
  tryNow(principal: string, calls: Calls, purpose: Purpose, runId?: string): Promise<number> {
    return this.book('try', principal, calls, purpose, runId);
  }

  /** Books calls a running step finds it must make after all (it makes them now; later slots move back). */
  async charge(principal: string, calls: Calls, purpose: Purpose, runId?: string): Promise<void> {
    await this.book('charge', principal, calls, purpose, runId);
  }
}

/**
 * ACI's create (or delete) limits, `per5Minutes` and `perHour` (counted by ACI in sliding windows), as
 * two schedules. GCRA lets at most burst + rate × window through in any window; 90 % of each limit
 * is used (a margin for clocks). Both schedules share the rate the hourly limit allows after its
 * burst; the hourly burst is at most half the hourly limit, the 5-minute burst is what is left of the
 * 5-minute limit. With ACI's defaults (100, 300): 75 at once, then one every 20 s (180 an hour).
 */
export function aciLanes(per5Minutes: number, perHour: number): [LaneLimit, LaneLimit] {
  const five = per5Minutes * 0.9;
  const hour = perHour * 0.9;
  const hourBurst = Math.max(1, Math.min(five, hour / 2));
  const perSecond = Math.max(hour - hourBurst, 1) / 3600;
  return [
    { perSecond, burst: Math.max(1, Math.floor(five - perSecond * 300)) },
    { perSecond, burst: Math.floor(hourBurst) },
  ];
}

export interface BudgetSettings {
  armReadsPerSecond: number;
  armWritesPerSecond: number;
  armDeletesPerSecond: number;
  aciCreatesPer5Minutes?: number;
  aciCreatesPerHour?: number;
  aciDeletesPer5Minutes?: number;
  aciDeletesPerHour?: number;
}

/**
 * ARM's per-principal budgets (ARM: reads 25/s burst 250; writes and deletes 10/s burst 200), below the
 * limits, and ACI's container group creates and deletes (100 per 5 minutes and 300 per hour each).
 */
const aci = (name: 'aciCreate' | 'aciDelete', [five, hour]: [LaneLimit, LaneLimit]) => ({ [`${name}5m`]: five, [`${name}1h`]: hour }) as Partial<Record<AciLane, LaneLimit>>;

export function budgetsFrom(config: BudgetSettings): Budgets {
  const lane = (perSecond: number, cap: number): LaneLimit => ({ perSecond, burst: Math.max(1, Math.min(cap, Math.round(perSecond * 8))) });
  return {
    read: lane(config.armReadsPerSecond, 200),
    write: lane(config.armWritesPerSecond, 160),
    delete: lane(config.armDeletesPerSecond, 160),
    ...aci('aciCreate', aciLanes(config.aciCreatesPer5Minutes ?? 100, config.aciCreatesPerHour ?? 300)),
    ...aci('aciDelete', aciLanes(config.aciDeletesPer5Minutes ?? 100, config.aciDeletesPerHour ?? 300)),
  };
}
