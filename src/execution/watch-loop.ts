// The loop: every worker drains the due-sets (watch-schedule.ts) in batches, outside BullMQ: the
// provisioning polls, the watch polls and the cleanups of the runs whose jobs sleep meanwhile. One
// script call claims the due runs of every kind its budgets allow; their calls go out together
// (bounded concurrency, each bounded by AZURE_CALL_TIMEOUT_MS and aborted by a kill); a run whose state
// did not change is not written, only handed back with its next due time in the next claim call. A
// run goes on from provisioning to watching to cleanup in the loop; one the loop does not handle
// (killed, a deployment that failed, a poll that failed for a reason other than a transient one)
// leaves the due-sets and its BullMQ job is woken (made again: it ended when the loop took the run) for
// what follows.
import { isRedisUnreachable, type RedisOutageReport } from '../redis-outage.js';
import type { Run, RunSpec } from '../runs/model.js';
import { classifyAzureError } from '../azure/errors.js';
import { loopStep, restartPolicyIn, type StepContext } from './steps.js';
import { UnrenderableRun } from './deployment-body.js';
import type { DueKind, HandBack, WatchSchedule } from './watch-schedule.js';

export interface WatchLoopOptions {
  /** Most polls in flight at once in this worker. */
  concurrency: number;
  /**
   * Of those, how many only submissions, provisioning polls and cleanups may use: however many runs are
   * watched, the lifecycle of the others never waits for a free slot behind watch polls.
   */
  lifecycleSlots: number;
  /** Most runs claimed by one script call. */
  batch: number;
  /** How long a claim holds a run (longer than an Azure call may take). */
  leaseMs: number;
  /** Longest sleep between two looks at the due-sets (new principals, runs handed back). */
  idleMs: number;
  /**
   * Shortest sleep when fewer runs were due than there was room for: reads that came due meanwhile
   * are claimed together, one script call for several (Redis work per ARM call stays small).
   */
  minGapMs: number;
  /** Redis not answering is said once a minute (redis-outage.ts), not on every look at the due-sets. */
  outage?: RedisOutageReport;
}

/** What a poll needs of the run's spec, kept per run while it is watched (no spec read or decrypt per poll). */
type WatchSpec = Pick<RunSpec, 'subscription_id' | 'resource_group_name' | 'credentials' | 'deployment_name' | 'container_group_name' | 'restart_policy'>;

const SPEC_CACHE_LIMIT = 50_000;
const PRINCIPALS_REFRESH_MS = 5_000;

const backoffMs = (attempt: number) => Math.min(60_000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);

function slim(spec: RunSpec): WatchSpec {
  const restartPolicy = restartPolicyIn(spec);
  return {
    subscription_id: spec.subscription_id,
    resource_group_name: spec.resource_group_name,
    credentials: spec.credentials,
    deployment_name: spec.deployment_name,
    container_group_name: spec.container_group_name,
    // Only what judging a group reads of the deployment (the restart policy).
    ...(restartPolicy ? { restart_policy: restartPolicy } : {}),
  };
}

export interface WatchLoop {
  /** Aborts the poll in flight for the run (a kill aimed at it). */
  abort(runId: string): void;
  /** Polls in flight now. */
  inFlight(): number;
  /** Stops claiming; polls in flight get `graceMs` to finish, then are aborted. Claims left are handed back. */
  close(graceMs: number): Promise<void>;
}

export function startWatchLoop(ctx: StepContext, schedule: WatchSchedule, options: WatchLoopOptions): WatchLoop {
  const inFlight = new Map<string, AbortController>();
  let watchPolls = 0;
  const polls = new Set<Promise<void>>();
  const handBack = new Map<string, HandBack[]>(); // principal → (run, due at, kind, kind it leaves)
  const specs = new Map<string, WatchSpec>();
  const failures = new Map<string, number>();
  let principals: string[] = [];
  let principalsAt = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = 0;
  let running: Promise<void> | undefined;
  let again = false;

  const giveBack = (principal: string, runId: string, dueAt: number, kind: DueKind, from?: DueKind) => {
    const list = handBack.get(principal) ?? [];
    list.push([runId, dueAt, kind, from]);
    handBack.set(principal, list);
  };

  async function specOf(runId: string): Promise<WatchSpec | undefined> {
    const known = specs.get(runId);
    if (known) return known;
    const spec = await ctx.store.spec(runId);
    if (!spec) return undefined;
    return remember(runId, slim(spec));
  }

  function remember(runId: string, kept: WatchSpec): WatchSpec {
    if (specs.size >= SPEC_CACHE_LIMIT) specs.delete(specs.keys().next().value!);
    specs.set(runId, kept);
    return kept;
  }

  async function fullSpecOf(runId: string): Promise<RunSpec | undefined> {
    const spec = await ctx.store.spec(runId);
    if (spec) remember(runId, slim(spec));
    return spec;
  }

  /** The run leaves the loop; its job takes over at once. */
  async function leave(principal: string, runId: string, kind: DueKind): Promise<void> {
    specs.delete(runId);
    failures.delete(runId);
    await schedule.leave(principal, runId, kind);
    await ctx.wake(runId);
  }

  async function poll(principal: string, kind: DueKind, runId: string, claimedAt: number, reclaimed: boolean): Promise<void> {
    const controller = new AbortController();
    const claimedHere = Date.now();
    if (kind === 'watch') watchPolls++;
    let dueAt: number | undefined; // this host's clock
    inFlight.set(runId, controller);
    let run: Run | undefined;
    try {
      run = await ctx.store.get(runId);
      if (!run) {
        specs.delete(runId);
        giveBack(principal, runId, -1, kind);
        return;
      }
      // A submission sends the whole deployment; the steps after it need only what specOf keeps.
      const spec = kind === 'submit' ? await fullSpecOf(runId) : await specOf(runId);
      if (!spec) return await leave(principal, runId, kind); // the job ends a run without its spec
      const next = await loopStep(ctx, kind, run, spec as RunSpec, principal, controller.signal, reclaimed);
      failures.delete(runId);
      if ('again' in next || 'next' in next) dueAt = claimedHere + ('again' in next ? next.again : next.after);
      if ('again' in next) giveBack(principal, runId, claimedAt + next.again, kind);
      else if ('next' in next && next.next === 'cleanup') giveBack(principal, runId, claimedAt + next.after, next.next, kind);
      // Sent, or RUNNING: the lease ends at once (a worker that dies now does not hold the run for a lease).
      else if ('next' in next) await schedule.move(principal, runId, kind, next.next, claimedAt + next.after);
      else if ('job' in next) await leave(principal, runId, kind);
      else {
        // Cleaned up (or found so): nothing is left to do.
        specs.delete(runId);
        giveBack(principal, runId, -1, kind);
      }
    } catch (err) {
      if (controller.signal.aborted) {
        // A kill (its job was woken by it) or a shutdown: the run's job decides.
        giveBack(principal, runId, stopped ? claimedAt : -1, kind);
        return;
      }
      const failure = classifyAzureError(err);
      // A run that cannot be rendered is ended by its job (CRASHED, with the reason); retrying would not help.
      if (failure.kind === 'transient' && run && !(err instanceof UnrenderableRun)) {
        // Throttled, 5xx, reset: try again after Retry-After or a backoff; the run shows why.
        const attempt = (failures.get(runId) ?? 0) + 1;
        failures.set(runId, attempt);
        const message = failure.message.slice(0, 500);
        const state = run.state;
        await ctx.store.update(runId, (r) => (r.state === state ? { ...r, azure: { ...r.azure, last_transient_error: message } } : undefined)).catch(() => undefined);
        ctx.log.warn({ runId, kind, attempt, err: message }, 'transient Azure error in the loop; trying again later');
        giveBack(principal, runId, claimedAt + (failure.retryAfterMs ?? backoffMs(attempt)), kind);
        return;
      }
      // Credentials refused, a final error, Redis trouble: the job's step handles it as it always has.
      ctx.log.warn({ runId, kind, err }, 'loop step failed; handing the run back to its job');
      await leave(principal, runId, kind).catch((e: unknown) => ctx.log.error({ runId, err: e }, 'could not hand a run back to its job; its claim lease will'));
    } finally {
      inFlight.delete(runId);
      if (kind === 'watch') watchPolls--;
      wakeSoon(dueAt);
    }
  }

  async function cycle(): Promise<number> {
    if (Date.now() - principalsAt > PRINCIPALS_REFRESH_MS || principals.length === 0) {
      principals = await schedule.principals();
      principalsAt = Date.now();
    }
    let wait = options.idleMs;
    for (const principal of principals) {
      const back = handBack.get(principal) ?? [];
      handBack.delete(principal);
      const room = stopped ? 0 : Math.min(options.batch, options.concurrency - inFlight.size);
      const watchRoom = Math.max(0, options.concurrency - options.lifecycleSlots - watchPolls);
      const claim = await schedule.claim(principal, room, options.leaseMs, back, watchRoom).catch((err: unknown) => {
        handBack.set(principal, [...back, ...(handBack.get(principal) ?? [])]);
        throw err;
      });
      claim.runs.forEach((runId, i) => {
        const p = poll(principal, claim.kinds[i], runId, claim.now, claim.reclaimed[i]);
        polls.add(p);
        void p.finally(() => polls.delete(p));
      });
      if (claim.runs.length === room && room > 0) wait = 0; // there may be more due
      else if (claim.wakeAt !== undefined) wait = Math.min(wait, Math.max(claim.wakeAt, claim.now + options.minGapMs) - claim.now);
    }
    return Math.max(0, wait);
  }

  function schedule_(ms: number) {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, ms);
    timerAt = Date.now() + ms;
  }

  function tick() {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = cycle()
      .then((wait) => {
        // Room freed or runs handed back meanwhile: look again soon; else sleep until the next due run.
        schedule_(again ? Math.min(wait, options.minGapMs) : wait);
      })
      .catch((err: unknown) => {
        if (options.outage && isRedisUnreachable(err)) options.outage.noAnswer((err as Error).message);
        else ctx.log.error({ err }, 'watch loop: cannot reach the due-sets');
        schedule_(options.idleMs);
      })
      .finally(() => {
        running = undefined;
        again = false;
      });
  }

  /** A poll finished: hand it back (and claim more) soon, batched with the others finishing now. */
  function wakeSoon(dueAt?: number) {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (!timer) schedule_(options.minGapMs);
    // A run handed back due before the loop meant to look again (a long sleep): look when it is due.
    else if (dueAt !== undefined && timerAt > Math.max(dueAt, Date.now() + options.minGapMs)) schedule_(Math.max(dueAt - Date.now(), options.minGapMs));
  }

  const unlisten = schedule.onEnter((dueAt) => wakeSoon(dueAt));
  schedule_(0);

  return {
    abort(runId) {
      inFlight.get(runId)?.abort();
    },
    inFlight: () => inFlight.size,
    async close(graceMs) {
      stopped = true;
      unlisten();
      if (timer) clearTimeout(timer);
      await running;
      const abort = setTimeout(() => inFlight.forEach((c) => c.abort()), graceMs);
      await Promise.allSettled([...polls]);
      clearTimeout(abort);
      // Hand back what the polls left (claims not handed back run out with their lease anyway).
      for (const [principal, back] of handBack) {
        if (back.length) await schedule.claim(principal, 0, options.leaseMs, back).catch(() => undefined);
      }
      handBack.clear();
    },
  };
}
