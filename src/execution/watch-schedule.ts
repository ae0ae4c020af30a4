// The due-sets of the loop (watch-loop.ts): per principal and per kind of step, a zset run id → when
// its next step is due (ms, Redis' clock), beside the principal's ARM schedules under one hash tag
// (one cluster slot). Submissions that must wait for their slot, provisioning polls, watch polls and
// cleanups leave BullMQ: the loop of every worker drains the due-sets in batches, and one script call
// claims due runs of every kind and books their calls on the principal's schedules, each kind at its
// own priority:
//
//   submit     the deployment PUT (a write and an ACI create), the whole burst ahead (lifecycle priority)
//   provision  one deployment read, the whole burst ahead (lifecycle priority)
//   watch      one group read, half the burst ahead (watching yields to the lifecycle)
//   cleanup    the group DELETE and the deployment DELETE, none of the burst ahead (cleanup yields)
//
// Cleanup, with none of the burst, may still book one claim horizon (1 s) ahead of its schedule: one
// claim call then takes what the next second allows, not one run per call (it would otherwise go at
// the rate of the claim calls, not at its budget's).
//
// A claim is a lease: the claimed run's score moves to now + lease, so a worker that dies holding it
// gives it back when the lease runs out (a lease's score ends in .5 ms, so a claim taken again after
// its lease ran out is known as one: a submission then looks before it sends). A step that leaves the run where it is puts it back at its
// next due time (in the next claim call, no write of the run). Claims go oldest-due first, so when the
// runs need more calls than the budget gives, each waits its turn in one queue: every interval
// stretches evenly (fair share) and no run starves.
import type { RedisClient } from '../redis.js';
import { luaScript } from '../redis-script.js';
import type { KeyLayout } from '../runs/keys.js';
import { paceKeys, type Budgets, type Lane } from './pacing.js';

const PRINCIPAL_RELIST_MS = 60_000;

/** How far ahead of its schedule a kind with none of the burst (cleanup) may book in one claim call. */
const CLAIM_HORIZON_MS = 1000;

export type DueKind = 'submit' | 'provision' | 'watch' | 'cleanup';
/** Claim order: submission first, then provisioning, watching, cleanup. */
export const DUE_KINDS: DueKind[] = ['submit', 'provision', 'watch', 'cleanup'];

/** What one claimed run of each kind books: lane, calls per run, share of the lane's burst it may run ahead. */
const BOOKS: Record<DueKind, [Lane, number, number][]> = {
  submit: [
    ['write', 1, 1],
    ['aciCreate5m', 1, 1],
    ['aciCreate1h', 1, 1],
  ],
  provision: [['read', 1, 1]],
  watch: [['read', 1, 0.5]],
  cleanup: [
    ['delete', 2, 0],
    ['aciDelete5m', 1, 1],
    ['aciDelete1h', 1, 1],
  ],
};

// KEYS[1]: the principal's schedules (hash: lane → theoretical arrival time); KEYS[2..]: its due-sets,
// one per kind. ARGV: most claims, lease ms, horizon ms, most watch claims, the watch kind's number, then per kind: number of lanes and per lane (name, calls
// per run, rate, burst, share of the burst); then quadruples (kind number, run id, due at ms | -1 to
// drop, kind number it leaves | 0) handed back from earlier claims.
// Returns {now, earliest due (or -1), when the budget allows the earliest kind's next step (or -1),
// when to look again (or -1), then triples (kind number, run id, 1 when its lease had run out) claimed}.
const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local most, lease, horizon = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local watchMost, watchKind = tonumber(ARGV[4]), tonumber(ARGV[5])
local kinds = #KEYS - 1
local specs, names, a = {}, {}, 6
for k = 1, kinds do
  local lanes = {}
  for l = 1, tonumber(ARGV[a]) do
    local b = a + (l - 1) * 5
    lanes[l] = {ARGV[b + 1], tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4]), tonumber(ARGV[b + 5])}
    names[#names + 1] = ARGV[b + 1]
  end
  specs[k] = lanes
  a = a + 1 + #lanes * 5
end
-- A run handed back stays only if it is still there (a kill may have taken it); a run going on to
-- the next kind of step leaves the other due-set and enters this one.
local back, drop, moved = {}, {}, {}
for i = a, #ARGV, 4 do
  local k, due, from = tonumber(ARGV[i]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  if from > 0 then
    drop[from] = drop[from] or {}
    table.insert(drop[from], ARGV[i + 1])
    moved[k] = moved[k] or {}
    table.insert(moved[k], due)
    table.insert(moved[k], ARGV[i + 1])
  elseif due < 0 then
    drop[k] = drop[k] or {}
    table.insert(drop[k], ARGV[i + 1])
  else
    back[k] = back[k] or {'XX'}
    table.insert(back[k], due)
    table.insert(back[k], ARGV[i + 1])
  end
end
for k = 1, kinds do
  if back[k] then redis.call('ZADD', KEYS[k + 1], unpack(back[k])) end
  if drop[k] then redis.call('ZREM', KEYS[k + 1], unpack(drop[k])) end
  if moved[k] then redis.call('ZADD', KEYS[k + 1], unpack(moved[k])) end
end
local stored = redis.call('HMGET', KEYS[1], unpack(names))
local tat = {}
for i, name in ipairs(names) do tat[name] = tonumber(stored[i] or '0') end
local claimed, changed = {}, {}
local earliest, budgetOfEarliest, wake = -1, -1, -1
for k = 1, kinds do
  -- How many runs of this kind the schedules allow now, at the kind's priority.
  local afford = most - #claimed / 3
  if k == watchKind then afford = math.min(afford, watchMost) end
  for _, lane in ipairs(specs[k]) do
    local interval = 1000 / lane[3]
    local tolerance = (lane[4] - 1) * interval * lane[5]
    if lane[5] == 0 then tolerance = horizon end
    local base = math.max(tat[lane[1]], now)
    if tat[lane[1]] - tolerance > now then afford = 0
    else afford = math.min(afford, math.floor((now + tolerance - base) / (interval * lane[2])) + 1) end
  end
  local range = redis.call('ZRANGE', KEYS[k + 1], 0, math.max(0, afford), 'WITHSCORES')
  local leased, taken, head = {}, 0, nil
  for i = 1, #range, 2 do
    local score = tonumber(range[i + 1])
    if taken < afford and score <= now then
      taken = taken + 1
      leased[#leased + 1] = now + lease + 0.5
      leased[#leased + 1] = range[i]
      claimed[#claimed + 1] = k
      claimed[#claimed + 1] = range[i]
      if score % 1 ~= 0 then claimed[#claimed + 1] = 1 else claimed[#claimed + 1] = 0 end
    else
      head = score
      break
    end
  end
  if taken > 0 then
    redis.call('ZADD', KEYS[k + 1], unpack(leased))
    for _, lane in ipairs(specs[k]) do
      tat[lane[1]] = math.max(tat[lane[1]], now) + taken * lane[2] * 1000 / lane[3]
      changed[lane[1]] = true
    end
  end
  if head then
    -- The first run left: when it is due and its kind's budget allows it (after this claim's bookings).
    local budgetAt = now
    for _, lane in ipairs(specs[k]) do
      local tolerance = (lane[4] - 1) * 1000 / lane[3] * lane[5]
      if lane[5] == 0 then tolerance = horizon end
      budgetAt = math.max(budgetAt, math.ceil(tat[lane[1]] - tolerance))
    end
    if earliest < 0 or head < earliest then earliest, budgetOfEarliest = head, budgetAt end
    local at = math.max(head, budgetAt)
    if wake < 0 or at < wake then wake = at end
  end
end
local writes = {}
for name in pairs(changed) do
  writes[#writes + 1] = name
  writes[#writes + 1] = tat[name]
end
if #writes > 0 then
  redis.call('HSET', KEYS[1], unpack(writes))
  redis.call('PEXPIRE', KEYS[1], 3600000)
end
local result = {now, earliest, budgetOfEarliest, wake}
for _, v in ipairs(claimed) do result[#result + 1] = v end
return result`;
/** KEYS: the schedules hash, then one due-set per kind (DUE_KINDS order). */
const claimDue = luaScript('acifrWatchClaim', 1 + DUE_KINDS.length, CLAIM);

// KEYS[1]: due-set. ARGV: run id, delay ms. Due after the delay on Redis' clock, unless already there.
const ENTER = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZADD', KEYS[1], 'NX', now + tonumber(ARGV[2]), ARGV[1])`;
const enterDue = luaScript('acifrWatchEnter', 1, ENTER);

/** A run handed back: [run id, next due at (ms, Redis' clock) or -1 to drop it, its kind (default watch), the kind it leaves]. */
export type HandBack = [string, number, DueKind?, DueKind?];

export interface Claim {
  /** Redis' time of the claim (ms): a watched run's next read is due one poll interval after it. */
  now: number;
  /** When the earliest run left in the due-sets is due (ms, Redis' clock), or undefined when they are empty. */
  nextDue?: number;
  /** When the budget allows that run's kind its next step (ms, Redis' clock). */
  budgetAt: number;
  /** When a run is both due and allowed by the budget (ms, Redis' clock), or undefined. */
  wakeAt?: number;
  /** The claimed runs, the kind of step each was claimed for, and whether an earlier claim of it ran out (same order). */
  runs: string[];
  kinds: DueKind[];
  reclaimed: boolean[];
}

export class WatchSchedule {
  private readonly bookings: string[];
  private readonly entered = new Set<(dueAt: number) => void>();
  private readonly listed = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly layout: KeyLayout,
    budgets: Budgets,
  ) {
    this.bookings = DUE_KINDS.flatMap((kind) => {
      const lanes = BOOKS[kind].filter(([lane]) => budgets[lane]);
      return [String(lanes.length), ...lanes.flatMap(([lane, calls, share]) => [lane, String(calls), String(budgets[lane]!.perSecond), String(budgets[lane]!.burst), String(share)])];
    });
  }

  private due = (principal: string, kind: DueKind) => {
    const { due } = paceKeys(this.prefix, principal);
    return kind === 'watch' ? due : `${due}:${kind}`;
  };

  /** The principals that have (or had) runs in the loop; the loop claims on each. */
  get principalsKey(): string {
    return `${this.layout.shared}:watched-principals`;
  }

  /** The run's next step of `kind` is the loop's from now on: due after `delayMs` (unless already there). */
  async enter(principal: string, runId: string, delayMs: number, kind: DueKind = 'watch'): Promise<void> {
    // The principal is listed for every loop; this process says so again at most once a minute.
    const listed = (this.listed.get(principal) ?? 0) > Date.now() - PRINCIPAL_RELIST_MS;
    await Promise.all([
      enterDue(this.redis, this.due(principal, kind), runId, String(Math.round(delayMs))),
      listed ? undefined : this.redis.sadd(this.principalsKey, principal).then(() => this.listed.set(principal, Date.now())),
    ]);
    // This process's loop looks when the run is due instead of at its next idle look.
    for (const listener of this.entered) listener(Date.now() + delayMs);
  }

  /** Calls `listener` with the time (this host's clock) a run entered by this process is due. */
  onEnter(listener: (dueAt: number) => void): () => void {
    this.entered.add(listener);
    return () => this.entered.delete(listener);
  }

  /**
   * The run goes on to its next kind of step, due at `dueAt` (ms, Redis' clock), and leaves the due-set
   * of the step it was claimed for (its lease ends now). Entered first: a crash in between leaves it
   * in both, and the claim of the stale one hands it to its job, which finds it in the new one.
   */
  async move(principal: string, runId: string, from: DueKind, to: DueKind, dueAt: number): Promise<void> {
    await this.redis.pipeline().zadd(this.due(principal, to), Math.round(dueAt), runId).zrem(this.due(principal, from), runId).exec();
  }

  /** The run is no longer the loop's (killed, ended, handed to its job): its job carries on. */
  async leave(principal: string, runId: string, kind?: DueKind): Promise<void> {
    if (kind) {
      await this.redis.zrem(this.due(principal, kind), runId);
      return;
    }
    await Promise.all(DUE_KINDS.map((k) => this.redis.zrem(this.due(principal, k), runId)));
  }

  async has(principal: string, runId: string, kind: DueKind = 'watch'): Promise<boolean> {
    return (await this.redis.zscore(this.due(principal, kind), runId)) !== null;
  }

  /** Every run in the principal's due-sets, with its kind (the reconciler checks runs against them). */
  async members(principal: string): Promise<Map<string, DueKind>> {
    const all = await Promise.all(DUE_KINDS.map((kind) => this.redis.zrange(this.due(principal, kind), 0, -1)));
    const members = new Map<string, DueKind>();
    all.forEach((ids, i) => ids.forEach((id) => members.set(id, DUE_KINDS[i])));
    return members;
  }

  async principals(): Promise<string[]> {
    return this.redis.smembers(this.principalsKey);
  }

  /**
   * Hands back earlier claims ([run, next due at or -1 to drop it, kind (default watch), the kind it
   * leaves when it goes on to the next kind of step]) and claims up to `most` due runs of every kind,
   * their calls booked on the principal's schedules at the kind's priority, each leased for `leaseMs`;
   * at most `mostWatching` of them watch polls (the rest of the room stays for the lifecycle).
   */
  async claim(principal: string, most: number, leaseMs: number, handBack: HandBack[] = [], mostWatching = most): Promise<Claim> {
    const k = paceKeys(this.prefix, principal);
    const number = (kind: DueKind | undefined) => String(kind ? DUE_KINDS.indexOf(kind) + 1 : 0);
    const args = handBack.flatMap(([id, at, kind, from]) => [number(kind ?? 'watch'), id, String(Math.round(at)), number(from)]);
    const keys = DUE_KINDS.map((kind) => this.due(principal, kind));
    const [now, nextDue, budgetAt, wakeAt, ...triples] = (await claimDue(
      this.redis, k.schedules, ...keys, String(most), String(leaseMs), String(CLAIM_HORIZON_MS), String(Math.min(most, mostWatching)), String(DUE_KINDS.indexOf('watch') + 1), ...this.bookings, ...args,
    )) as [number, number, number, number, ...(string | number)[]];
    const runs: string[] = [];
    const kinds: DueKind[] = [];
    const reclaimed: boolean[] = [];
    for (let i = 0; i < triples.length; i += 3) {
      kinds.push(DUE_KINDS[Number(triples[i]) - 1]);
      runs.push(String(triples[i + 1]));
      reclaimed.push(Number(triples[i + 2]) === 1);
    }
    return { now, nextDue: nextDue < 0 ? undefined : nextDue, budgetAt: budgetAt < 0 ? now : budgetAt, wakeAt: wakeAt < 0 ? undefined : wakeAt, runs, kinds, reclaimed };
  }
}
