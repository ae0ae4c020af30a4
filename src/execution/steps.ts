// The steps that carry a run from PENDING to a final state. Each step reads the run first and is
// safe to repeat: a worker killed anywhere is replaced by one that carries on (at-least-once).
import type { Logger } from 'pino';
import type { AzureClientCache } from '../azure/clients.js';
import { classifyAzureError, hintFor, withHint, type AzureFailure } from '../azure/errors.js';
import { AzureGateway, type GroupStatus } from '../azure/gateway.js';
import { isTerminal, transition, type Outcome, type Run, type RunSpec, type RunState } from '../runs/model.js';
import type { RunStore } from '../runs/store.js';
import { isoTime } from '../runs/time.js';
import { newLines, parseLogContent } from './log-lines.js';
import { pacerWait, stepDuration } from '../metrics/registry.js';
import { credentialAccepted, credentialRefusedFinal, credentialRefusedWhileRunning } from '../metrics/credentials.js';
import type { PoolAdmission } from './admission.js';
import type { ArmBudget, Calls, Purpose } from './pacing.js';
import type { DueKind, WatchSchedule } from './watch-schedule.js';
import { UnrenderableRun, type DeploymentRenderer } from './deployment-body.js';
import { restartPolicyOfBody } from '../templating/prepare.js';

export interface StepContext {
  store: RunStore;
  clients: AzureClientCache;
  pacer: ArmBudget;
  log: Logger;
  minPollIntervalSeconds: number;
  /** AZURE_CALL_TIMEOUT_MS: the bound of every Azure call a step makes. */
  azureCallTimeoutMs: number;
  /** How long a running run may go on while Azure refuses its credential (CREDENTIAL_FAILURE_GRACE_SECONDS). */
  credentialFailureGraceSeconds?: number;
  admission: PoolAdmission;
  /** Renders the deployment body a run sends (from its stored submission and work-pool revision). */
  deployments: DeploymentRenderer;
  /** Runs a waiting run's next step now (a pool slot was handed to it). */
  wake: (runId: string) => Promise<void>;
  /**
   * The due-set of watched runs (watch-schedule.ts): a RUNNING run is polled by the watch loop of
   * some worker, outside BullMQ, while its job sleeps. Without it, each poll is a step of the job.
   */
  watching?: WatchSchedule;
}

/** Done, or run again after `after` ms; `paid` says the next step's ARM calls are already booked. */
export type StepResult = { done: true } | { after: number; paid?: string };

/** A failure worth retrying later; the worker reschedules the job. */
export class TransientFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Causes of a failed deployment that go away by themselves: the deployment is sent again. */
const TRANSIENT_CAUSES = new Set(['ResourceRequestsThrottled', 'TooManyRequests', 'InternalServerError', 'ServiceUnavailable', 'GatewayTimeout', 'Conflict', 'AnotherOperationInProgress']);

/** Causes that clear by themselves given time: the deployment is sent again until the start deadline. */
function clearsByItself(cause: { code: string; message: string }): boolean {
  if (TRANSIENT_CAUSES.has(cause.code) || cause.code === 'RegistryErrorResponse' || cause.code === 'ContainerGroupQuotaReached') return true;
  return /not available in the location .* at this moment|please retry later/i.test(cause.message);
}

const LIVE_DEPLOYMENT = new Set(['Accepted', 'Running', 'Created', 'Creating', 'Updating', 'Ready', 'NotSpecified', 'Waiting']);
/** How long Azure gets to bring a Failed group back by itself before it is deleted and deployed again. */
const RECOVERY_POLLS = 3;
/** A permanent cleanup error is tried this many times before cleanup gives up (cleanup.state failed). */
const CLEANUP_FINAL_ATTEMPTS = 5;
const DEFAULT_CREDENTIAL_GRACE_SECONDS = 3600;
const STREAM_TAIL = 1000;
/** What ACI keeps of an exited container's output. */
const STOPPED_LOG_LINES = 1000;
const STOPPED_LOG_BYTES = 16 * 1024;
/** A run queued for a pool slot is woken by whoever frees one; this is only the backstop if that wake is lost. */
const POOL_WAIT_BACKSTOP_MS = 60_000;
const MAX_CLEANUP_DELAY_MS = 5 * 60_000;

interface Step {
  run: Run;
  spec: RunSpec;
  azure: AzureGateway;
  ctx: StepContext;
  principal: string;
  /** The step may have run before (BullMQ says the job stalled or failed, or the run left PENDING). */
  repeated: boolean;
  /** The step is the loop's (watch-loop.ts): the loop, not the step, puts the run in its next due-set. */
  loop?: boolean;
  /**
   * A loop poll that decides an outcome finalizes at once: the outcome is written with the final state
   * (one write), guarded by the state the run had (`from`, as stored), so a kill that landed first wins.
   */
  deferOutcome?: boolean;
  deferred?: { from: Run; outcome: Outcome; details: Partial<Run['azure']> };
}

/** Books calls the step finds it must make after all; it makes them at once (see pacing.ts). */
// The run id keeps the fair share of watch polls made as job steps (pacing.ts); with the loop those are rare.
const charge = (s: Step, calls: Calls, purpose: Purpose = 'lifecycle') => s.ctx.pacer.charge(s.principal, calls, purpose, s.ctx.watching && purpose !== 'watch' ? undefined : s.run.id);

/** The deployment body the run sends (rendered by the worker for runs stored without one). */
const bodyOf = (s: Step) => s.ctx.deployments.body(s.run, s.spec);

const pollMs = (s: Step) => Math.max(s.run.poll_interval_seconds, s.ctx.minPollIntervalSeconds) * 1000;
const after = (ms: number): StepResult => ({ after: Math.max(0, Math.round(ms)) });
const NOW: StepResult = { after: 0 };
/**
 * The loop has the run from here (a due entry): the job ends. Whoever needs a job again (a kill, the
 * loop handing the run back, the reconciler for a run in no due-set) makes a new one (queue.ts wakeRun).
 */
const HANDED_OVER: StepResult = { done: true };

/** Writes a change only if the run is still in `from`; false when someone (a kill) moved it. */
async function move(s: Step, from: RunState, change: (run: Run) => Run): Promise<boolean> {
  let moved = false;
  // The step's own copy of the run saves a read; a write that lands in between fails the compare-and-set.
  const stored = await s.ctx.store.update(
    s.run.id,
    (run) => {
      moved = run.state === from && !run.outcome;
      return moved ? change(run) : undefined;
    },
    s.run,
  );
  if (stored) s.run = stored;
  return moved;
}

async function decide(s: Step, outcome: Outcome, details: Partial<Run['azure']> = {}): Promise<StepResult> {
  if (s.deferOutcome && !s.deferred) {
    s.deferred = { from: s.run, outcome, details };
    s.run = { ...s.run, outcome, azure: { ...s.run.azure, ...details } };
    return NOW;
  }
  await move(s, s.run.state, (run) => ({ ...run, outcome, azure: { ...run.azure, ...details } }));
  return NOW;
}

function groupDetails(g: GroupStatus): Partial<Run['azure']> {
  return {
    provisioning_state: g.provisioningState,
    group_state: g.groupState,
    container_state: g.containerState,
    container_name: g.containerName,
    ...(g.exitCode !== undefined ? { exit_code: g.exitCode } : {}),
    ...(g.restartCount > 0 ? { restart_count: g.restartCount } : {}),
  };
}

function exitOutcome(g: GroupStatus): Outcome {
  const code = g.exitCode ?? -1;
  if (code === 0) return { state: 'COMPLETED', status_code: 0, reason: 'The container exited with code 0.' };
  const hint = code === 137 || g.detailStatus === 'OOMKilled' ? ' It was killed, most likely for running out of memory.' : '';
  return { state: 'FAILED', status_code: code, reason: `The container exited with code ${code}.${hint}` };
}

const events = (g: GroupStatus) => (g.warnings.length > 0 ? ` Azure says: ${g.warnings.slice(-3).join(' | ')}` : '');

/** Azure's code and innermost message, with a hint when the cause needs someone to act. */
function azureError(code: string, message: string | undefined): Partial<Run['azure']> {
  const hint = hintFor(code);
  return { error_code: code, ...(message ? { error_message: message } : {}), ...(hint ? { error_hint: hint } : {}) };
}

const deadlineOf = (run: Run) => (run.provisioning_deadline ? Date.parse(run.provisioning_deadline) : Infinity);

function timedOut(s: Step, why: string): Promise<StepResult> {
  return decide(
    s,
    { state: 'CRASHED', status_code: -1, reason: `Timed out after ${s.run.start_timeout_seconds}s waiting for the container group to start; ${why}` },
    { error_code: s.run.azure.error_code ?? 'ProvisioningTimeout' },
  );
}

/** Sends the deployment unless its container group already exists (sending it again would restart the group). */
async function deployUnlessGroupExists(s: Step): Promise<GroupStatus | undefined> {
  const { resource_group_name: rg, deployment_name: name, container_group_name: group } = s.spec;
  const body = await bodyOf(s);
  await charge(s, { read: 1 });
  const g = await s.azure.group(rg, group);
  if (!g) {
    await charge(s, { write: 1, create: 1 });
    await s.azure.startDeployment(rg, name, body);
  }
  return g;
}

/** A refusal that clears by itself (quota, capacity, registry): retry until the start deadline. */
async function waitOrCrash(s: Step, failure: AzureFailure & { code: string }): Promise<StepResult> {
  const onQuota = s.run.on_quota ?? 'wait';
  const waits = clearsByItself(failure) && !(failure.code === 'ContainerGroupQuotaReached' && onQuota === 'fail');
  if (waits && Date.now() < deadlineOf(s.run)) {
    await s.ctx.store.update(s.run.id, (run) => ({ ...run, azure: { ...run.azure, ...azureError(failure.code, failure.message), last_transient_error: `${failure.code}: ${failure.message}` } }));
    return after(Math.min(pollMs(s) * 2, Math.max(0, deadlineOf(s.run) - Date.now()) + 1));
  }
  return decide(s, { state: 'CRASHED', status_code: -1, reason: `Azure refused the deployment: ${failure.code}: ${withHint(failure.code, failure.message)}` }, azureError(failure.code, failure.message));
}

async function submit(s: Step): Promise<StepResult> {
  const timeout = s.run.start_timeout_seconds;
  // Until a PUT may have gone out (deployment_state is marked before sending) nothing can exist. A
  // repeated step (BullMQ saw it stall or fail, or it starts with the run already SUBMITTING) is never a
  // first attempt: the run record can lose its mark (Redis restored from a snapshot) while the job shows it.
  const unmarked = s.run.azure.deployment_state === undefined;
  const firstAttempt = unmarked && !s.repeated;
  if (s.run.state === 'PENDING') {
    // The start timeout covers SUBMITTING too: a run that cannot even be sent ends in time. A first
    // attempt is marked as sending in the same write (one write less per run).
    const moved = await move(s, 'PENDING', ({ pending_reason: _, ...run }) => ({
      ...transition(run, 'SUBMITTING', 'A worker took the run.'),
      provisioning_deadline: timeout > 0 ? new Date(Date.now() + timeout * 1000).toISOString() : undefined,
      ...(firstAttempt ? { azure: { ...run.azure, deployment_state: 'Sending' } } : {}),
    }));
    if (!moved) return NOW;
  }
  if (Date.now() > deadlineOf(s.run)) return timedOut(s, 'the deployment could not be sent.');
  const { resource_group_name: rg, deployment_name: name } = s.spec;
  // Look before creating: a worker that died after the PUT must not deploy twice, and a group that
  // exists (its deployment record gone) is followed, never deployed over.
  // Only a first attempt sends at once (one read less per run); any other step looks first. A read the
  // step's booking did not include (it was booked as a first attempt) is charged here.
  if (!firstAttempt && unmarked) await charge(s, { read: 1 });
  const existing = firstAttempt ? undefined : await s.azure.deployment(rg, name);
  let group: GroupStatus | undefined;
  if (!existing) {
    try {
      // The mark goes on before anything is sent (a first attempt got it with PENDING → SUBMITTING).
      if (s.run.azure.deployment_state === undefined) {
        if (!(await move(s, 'SUBMITTING', (run) => ({ ...run, azure: { ...run.azure, deployment_state: 'Sending' } })))) return NOW;
      }
      if (firstAttempt) await s.azure.startDeployment(rg, name, await bodyOf(s));
      else group = await deployUnlessGroupExists(s);
    } catch (err) {
      const failure = classifyAzureError(err);
      if (failure.kind === 'final') return waitOrCrash(s, failure);
      throw err;
    }
  }
  const reason = existing
    ? `Deployment ${name} found (${existing.state}); following it.`
    : group
      ? `Container group ${s.spec.container_group_name} already exists; following it instead of deploying again.`
      : `Deployment ${name} sent to Azure Resource Manager.`;
  await move(s, 'SUBMITTING', (run) => ({
    ...transition(run, 'PROVISIONING', reason),
    provisioning_deadline: run.provisioning_deadline ?? (timeout > 0 ? new Date(Date.now() + timeout * 1000).toISOString() : undefined),
    azure: { ...run.azure, deployment_state: existing?.state ?? (group ? 'Unknown' : 'Accepted') },
  }));
  return keepProvisioning(s, Math.min(pollMs(s), timeout > 0 ? timeout * 1000 : Infinity));
}

/** The deployment is on its way: the loop polls it from now on (its job sleeps), or the job's next step. */
async function keepProvisioning(s: Step, delayMs: number): Promise<StepResult> {
  if (s.loop || !s.ctx.watching || s.run.state !== 'PROVISIONING' || s.run.outcome) return after(delayMs);
  await s.ctx.watching.enter(s.principal, s.run.id, delayMs, 'provision');
  return HANDED_OVER;
}

const RUNS = 'The container group is provisioned and its container runs.';

/** The group runs (or ran): RUNNING (unless a kill came first). */
async function enterRunning(s: Step, g: GroupStatus, deploymentState: string, reason = RUNS): Promise<boolean> {
  return move(s, 'PROVISIONING', (run) => ({
    ...transition(run, 'RUNNING', reason),
    azure: { ...run.azure, deployment_state: deploymentState, ...groupDetails(g) },
  }));
}

/** The group runs (or ran): RUNNING, then judged like every watched group. */
async function startWatching(s: Step, g: GroupStatus, deploymentState: string, reason = RUNS): Promise<StepResult> {
  await enterRunning(s, g, deploymentState, reason);
  return (await judge(s, g)) ?? keepWatching(s);
}

/** The run goes on being watched: by the watch loop (its job sleeps), or by its job's next step. */
async function keepWatching(s: Step): Promise<StepResult> {
  if (!s.ctx.watching) return after(pollMs(s));
  await s.ctx.watching.enter(s.principal, s.run.id, pollMs(s));
  return HANDED_OVER;
}

async function provision(s: Step): Promise<StepResult> {
  const { resource_group_name: rg, deployment_name: name, container_group_name: group } = s.spec;
  const deployment = await s.azure.deployment(rg, name);
  const deadline = deadlineOf(s.run);
  if (!deployment || LIVE_DEPLOYMENT.has(deployment.state)) {
    if (Date.now() > deadline) {
      if (!deployment) {
        // ARM's history cleanup removes the record of a deployment that succeeded, possibly before any
        // read here saw it (the reads failed meanwhile): the container group tells whether it started.
        const late = await groupAfterDeadline(s);
        if (late) return late;
      }
      await charge(s, { write: 1 });
      await s.azure.cancelDeployment(rg, name);
      return decide(s, {
        state: 'CRASHED',
        status_code: -1,
        reason: `Timed out after ${s.run.start_timeout_seconds}s waiting for the container group to start; the deployment was cancelled.`,
      }, { deployment_state: 'Canceled', error_code: 'ProvisioningTimeout' });
    }
    if (!deployment) {
      const g = await deployUnlessGroupExists(s);
      if (g && g.provisioningState === 'Succeeded') return startWatching(s, g, 'Unknown');
    }
    await s.ctx.store.update(s.run.id, (run) => (run.azure.deployment_state === deployment?.state ? undefined : { ...run, azure: { ...run.azure, deployment_state: deployment?.state ?? 'Accepted' } }), s.run);
    const delay = Math.min(pollMs(s), Math.max(0, deadline - Date.now()) + 1);
    return deployment ? keepProvisioning(s, delay) : after(delay);
  }
  if (deployment.state === 'Succeeded') {
    // This read is the run's first watch poll: it joins the watched runs' fair share.
    await charge(s, { read: 1 }, 'watch');
    const g = await s.azure.group(rg, group);
    if (!g) {
      return decide(s, { state: 'CRASHED', status_code: -1, reason: 'The deployment succeeded but the container group does not exist.' }, { deployment_state: 'Succeeded' });
    }
    return startWatching(s, g, 'Succeeded');
  }
  if (deployment.state === 'Failed') await charge(s, { read: 1 });
  const cause = deployment.state === 'Failed' ? await s.azure.deploymentFailure(rg, name) : undefined;
  if (cause && clearsByItself(cause) && Date.now() < deadline && !(cause.code === 'ContainerGroupQuotaReached' && s.run.on_quota === 'fail')) {
    return retryFailedDeployment(s, cause);
  }
  return decide(
    s,
    {
      state: 'CRASHED',
      status_code: -1,
      reason: cause ? `Azure could not create the container group: ${cause.code}: ${withHint(cause.code, cause.message)}` : `The deployment ended ${deployment.state}.`,
    },
    { deployment_state: deployment.state, ...(cause ? azureError(cause.code, cause.message) : { error_code: `Deployment${deployment.state}` }) },
  );
}

/**
 * Past the start deadline with no deployment record: a group that was provisioned is followed (the
 * run did start; only its record went), none at all ends the run without a cancel (nothing to cancel).
 * A group still being provisioned is a real timeout: undefined, and the caller cancels.
 */
async function groupAfterDeadline(s: Step): Promise<StepResult | undefined> {
  await charge(s, { read: 1 });
  const g = await s.azure.group(s.spec.resource_group_name, s.spec.container_group_name);
  if (g && g.provisioningState === 'Succeeded') {
    return startWatching(s, g, 'Unknown', `${RUNS} Its deployment record is gone (ARM's deployment history cleanup); following the container group.`);
  }
  if (g) return undefined;
  return decide(s, {
    state: 'CRASHED',
    status_code: -1,
    reason: `Timed out after ${s.run.start_timeout_seconds}s waiting for the container group to start; neither the deployment nor the container group exists.`,
  }, { error_code: 'ProvisioningTimeout' });
}

/**
 * A deployment that failed for a cause that clears by itself (throttling, registry, capacity, quota):
 * follow the group if Azure brought it back, else delete the Failed group (after giving Azure a few
 * polls to recover it) and send the deployment again.
 */
async function retryFailedDeployment(s: Step, cause: { code: string; message: string }): Promise<StepResult> {
  const { resource_group_name: rg, deployment_name: name, container_group_name: group } = s.spec;
  const g = await s.azure.group(rg, group);
  const note = (extra: Partial<Run['azure']>) =>
    s.ctx.store.update(s.run.id, (run) => ({ ...run, azure: { ...run.azure, ...azureError(cause.code, cause.message), last_transient_error: `${cause.code}: ${cause.message}`, ...extra } }));
  if (g && g.provisioningState === 'Succeeded') {
    return startWatching(s, g, 'Failed', `The deployment failed with ${cause.code} (${cause.message}), but Azure brought the container group up by itself; following it.`);
  }
  if (g) {
    const since = s.run.azure.waiting_since ? Date.parse(s.run.azure.waiting_since) : undefined;
    if (since === undefined) {
      await note({ waiting_since: new Date().toISOString(), ...groupDetails(g) });
      return after(pollMs(s));
    }
    if (g.provisioningState === 'Failed' && Date.now() - since >= RECOVERY_POLLS * pollMs(s)) {
      await charge(s, { delete: 1, groupDelete: 1 });
      await s.azure.deleteGroup(rg, group);
    }
    return after(pollMs(s));
  }
  const body = await bodyOf(s);
  await charge(s, { write: 1, create: 1 });
  await s.azure.startDeployment(rg, name, body);
  await note({ waiting_since: undefined });
  throw new TransientFailure(`The deployment failed with ${cause.code} (${cause.message}); sent it again.`, pollMs(s));
}

async function readLogs(s: Step, container: string, tail?: number): Promise<void> {
  let content = await s.azure.logs(s.spec.resource_group_name, s.spec.container_group_name, container, tail);
  let all = parseLogContent(content);
  const cursor = s.run.log_cursor;
  if (tail !== undefined && all.length >= tail) {
    // The tail may have cut lines not read yet (lines can share a timestamp, so the cursor cannot
    // tell): read all Azure still holds (up to its 4 MB); the cursor drops what was read before.
    content = await s.azure.logs(s.spec.resource_group_name, s.spec.container_group_name, container);
    all = parseLogContent(content);
  }
  const { lines, cursor: next } = newLines(all, cursor);
  if (lines.length > 0) {
    // Lines and cursor move together; a repeated read (cursor already moved) adds nothing.
    // Azure stamps lines with 7 fraction digits; the service shows every time with milliseconds (the cursor keeps Azure's own).
    const stamped = lines.map((l) => ({ ...l, ts: isoTime(l.ts) }));
    const count = await s.ctx.store.appendLogs(s.run.id, stamped, cursor, next);
    if (count !== undefined) s.run = { ...s.run, log_cursor: next, log_lines: count };
  }
  // Azure keeps 16 KB / 1,000 lines of an exited container: a full window that begins after what
  // was read before (or with nothing read before) means output was cut before the service saw it.
  const windowFull = all.length >= STOPPED_LOG_LINES || Buffer.byteLength(content) >= STOPPED_LOG_BYTES - 512;
  if (tail === undefined && windowFull && (!cursor || all[0].ts > cursor.ts) && !s.run.logs_truncated) {
    const stored = await s.ctx.store.update(s.run.id, (run) => ({ ...run, logs_truncated: true }));
    if (stored) s.run = stored;
  }
}

/** Stops the group so that a container Azure restarted does not run the flow again. */
async function stopAfterRestart(s: Step): Promise<void> {
  try {
    await s.azure.stopGroup(s.spec.resource_group_name, s.spec.container_group_name);
  } catch (err) {
    // Cleanup stops or deletes it anyway; the outcome must not wait for this.
    s.ctx.log.warn({ runId: s.run.id, err }, 'could not stop a restarted container group');
  }
}

/** What a group's state means for the run, or undefined to keep watching. */
async function judge(s: Step, g: GroupStatus): Promise<StepResult | undefined> {
  if (g.restartCount > 0 && g.previousState === 'Terminated' && restartPolicyOf(s) === 'Never') {
    // Azure started the container again despite restartPolicy Never: the first run's end is the result.
    if (g.groupState === 'Running' || g.groupState === 'Pending' || g.containerState !== 'Terminated') await stopAfterRestart(s);
    const code = g.previousExitCode;
    const outcome: Outcome =
      code === undefined
        ? { state: 'CRASHED', status_code: -1, reason: `Azure restarted the container (restart count ${g.restartCount}); the group was stopped so the flow does not run twice.${events(g)}` }
        : {
            state: code === 0 ? 'COMPLETED' : 'FAILED',
            status_code: code,
            reason: `The container exited with code ${code}; Azure then restarted it (restart count ${g.restartCount}), so the group was stopped so the flow does not run twice.`,
          };
    return decide(s, outcome, { ...groupDetails(g), exit_code: code ?? -1, restart_count: g.restartCount });
  }
  if (g.containerState === 'Terminated') return decide(s, exitOutcome(g), groupDetails(g));
  if (g.provisioningState === 'Failed') {
    return decide(s, { state: 'CRASHED', status_code: -1, reason: `The container group failed after it had started.${events(g)}` }, { ...groupDetails(g), error_code: 'ContainerGroupFailed', error_message: g.warnings.at(-1) });
  }
  if (g.groupState === 'Stopped') {
    return decide(s, { state: 'CRASHED', status_code: -1, reason: 'The container group was stopped outside the service.' }, groupDetails(g));
  }
  const repairing = g.provisioningState === 'Unhealthy' || g.provisioningState === 'Repairing';
  if (g.containerState === 'Waiting' && !repairing) {
    const since = s.run.azure.waiting_since ? Date.parse(s.run.azure.waiting_since) : Date.now();
    const limit = (s.run.start_timeout_seconds > 0 ? s.run.start_timeout_seconds : 600) * 1000;
    if (Date.now() - since > limit) {
      await stopAfterRestart(s);
      return decide(s, { state: 'CRASHED', status_code: -1, reason: `The container has been waiting (${g.detailStatus ?? 'no detail'}) for more than ${limit / 1000}s; the group was stopped.${events(g)}` }, {
        ...groupDetails(g),
        error_code: 'ContainerWaiting',
      });
    }
  }
  return undefined;
}

function restartPolicyOf(s: Step): string {
  return restartPolicyIn(s.spec) ?? 'Never';
}

/** The group's restart policy: kept in the spec, or read from a body stored by an earlier version. */
export function restartPolicyIn(spec: Pick<RunSpec, 'restart_policy' | 'deployment_body'>): string | undefined {
  return spec.restart_policy ?? restartPolicyOfBody(spec.deployment_body);
}

/** One watch poll: what the group's state means for the run, or undefined to keep watching. */
async function pollGroup(s: Step): Promise<StepResult | undefined> {
  const g = await s.azure.group(s.spec.resource_group_name, s.spec.container_group_name);
  if (!g) {
    return decide(s, { state: 'CRASHED', status_code: -1, reason: 'The container group vanished while the flow run was running (deleted outside the service).' }, { group_state: 'Deleted' });
  }
  if (s.run.azure.credential_failure_since) credentialAccepted(s.run.id);
  if (s.run.stream_output && g.containerName && g.restartCount === 0) await readLogs(s, g.containerName, STREAM_TAIL);
  const judged = await judge(s, g);
  if (judged) return judged;
  const waiting = g.containerState === 'Waiting' ? (s.run.azure.waiting_since ?? new Date().toISOString()) : undefined;
  await s.ctx.store.update(s.run.id, (run) =>
    run.azure.container_state === g.containerState &&
    run.azure.group_state === g.groupState &&
    run.azure.provisioning_state === g.provisioningState &&
    run.azure.waiting_since === waiting &&
    !run.azure.credential_failure_since
      ? undefined
      : { ...run, azure: { ...run.azure, ...groupDetails(g), waiting_since: waiting, credential_failure_since: undefined, credential_failure: undefined } },
    s.run,
  );
  return undefined;
}

async function watch(s: Step): Promise<StepResult> {
  return (await pollGroup(s)) ?? keepWatching(s);
}

/** What the loop (watch-loop.ts) does with a run after one of its steps. */
export type LoopNext =
  /** The same kind of step again, this many ms after the claim. */
  | { again: number }
  /** On to the next kind of step in the loop, due this many ms after the claim. */
  | { next: DueKind; after: number }
  /** The run's job takes over (the loop lets the run go and wakes the job). */
  | { job: true }
  /** Nothing is left to do: the run is final and cleaned up. */
  | { done: true };

/** The kind of loop step a run's state asks for, if the loop can take it (else its job does). */
export function loopKindOf(run: Run): DueKind | undefined {
  if (isTerminal(run.state)) return run.cleanup?.state === 'pending' && cleansInLoop(run) ? 'cleanup' : undefined;
  if (run.outcome) return undefined;
  if (run.state === 'PENDING' || run.state === 'SUBMITTING') return 'submit';
  if (run.state === 'PROVISIONING') return 'provision';
  if (run.state === 'RUNNING') return 'watch';
  return undefined;
}

/**
 * Cleanup the loop can book in advance: the two DELETEs of a run whose deployment is known finished
 * and whose group is not kept (no read, no cancel, no stop). Anything else is its job's step.
 */
const cleansInLoop = (run: Run) =>
  !run.keep_container_group && !mayBeDeploying(run) && run.history.some((t) => t.state === 'SUBMITTING' || t.state === 'PROVISIONING' || t.state === 'RUNNING');

/**
 * One step of a run the loop holds, its calls already booked by the loop's claim: a submission that
 * had to wait for its slot (the PUT), a provisioning poll (the deployment read), a watch poll (the
 * group read) or the cleanup (the two DELETEs). A submission is a repeat (it looks before it sends)
 * when the run is already SUBMITTING or an earlier claim of it ran out (`reclaimed`). An outcome
 * found by a poll is finalized at once (the last log read booked at its own priority) and the run goes
 * on to its cleanup in the loop; whatever the loop does not handle (a deployment missing or failed, a
 * start timeout, a kill, a kept group) goes back to the run's job, whose steps handle it as before.
 */
export async function loopStep(ctx: StepContext, kind: DueKind, run: Run, spec: RunSpec, principal: string, signal: AbortSignal, reclaimed = false): Promise<LoopNext> {
  if (loopKindOf(run) !== kind) return isTerminal(run.state) && run.cleanup?.state !== 'pending' ? { done: true } : { job: true };
  const azure = new AzureGateway(ctx.clients.for(spec.credentials, spec.subscription_id), { timeoutMs: ctx.azureCallTimeoutMs, signal });
  const s: Step = { run, spec, azure, ctx, principal, repeated: reclaimed || run.state === 'SUBMITTING', loop: true, deferOutcome: kind === 'provision' || kind === 'watch' };
  const endStep = stepDuration.startTimer({ step: kind });
  let outcome = 'error';
  try {
    const steps = { submit: loopSubmit, provision: provisionPoll, watch: watchPoll, cleanup: loopCleanup };
    const next = await steps[kind](s);
    outcome = 'ok';
    return next;
  } finally {
    endStep({ outcome });
  }
}

async function loopSubmit(s: Step): Promise<LoopNext> {
  // The claim booked the PUT; a repeat looks for the deployment first (the group read, if needed, is charged in the step).
  if (s.run.azure.deployment_state !== undefined) await charge(s, { read: 1 });
  const result = await submit(s);
  if (s.run.outcome || 'done' in result) return { job: true }; // crashed or killed: the job finalizes, cancels, cleans up
  if (s.run.state === 'PROVISIONING') return { next: 'provision', after: result.after };
  if ((s.run.state === 'SUBMITTING' || s.run.state === 'PENDING') && result.after > 0) return { again: result.after }; // a refusal that clears by itself
  return { job: true };
}

async function provisionPoll(s: Step): Promise<LoopNext> {
  const { resource_group_name: rg, deployment_name: name, container_group_name: group } = s.spec;
  const deployment = await s.azure.deployment(rg, name);
  const deadline = deadlineOf(s.run);
  if (deployment && LIVE_DEPLOYMENT.has(deployment.state) && Date.now() <= deadline) {
    await s.ctx.store.update(s.run.id, (run) => (run.azure.deployment_state === deployment.state ? undefined : { ...run, azure: { ...run.azure, deployment_state: deployment.state } }), s.run);
    return { again: Math.min(pollMs(s), Math.max(0, deadline - Date.now()) + 1) };
  }
  // Missing, failed or out of time: the job's provision step (it reads the deployment again).
  if (deployment?.state !== 'Succeeded') return { job: true };
  // This read is the run's first watch poll.
  await s.ctx.pacer.charge(s.principal, { read: 1 }, 'watch');
  const g = await s.azure.group(rg, group);
  if (!g) {
    await decide(s, { state: 'CRASHED', status_code: -1, reason: 'The deployment succeeded but the container group does not exist.' }, { deployment_state: 'Succeeded' });
    return finishInLoop(s);
  }
  if (!(await enterRunning(s, g, 'Succeeded'))) return { job: true }; // a kill came first
  if (await judge(s, g)) return finishInLoop(s);
  return { next: 'watch', after: pollMs(s) };
}

async function watchPoll(s: Step): Promise<LoopNext> {
  // The loop booked the group read; streamed logs are a read more.
  if (s.run.stream_output) await s.ctx.pacer.charge(s.principal, { read: 1 }, 'watch');
  if (await pollGroup(s)) return finishInLoop(s);
  return s.run.state === 'RUNNING' && !s.run.outcome ? { again: pollMs(s) } : { job: true };
}

/** An outcome decided by a poll: the last log read (booked at its own priority), the final state, then cleanup in the loop. */
async function finishInLoop(s: Step): Promise<LoopNext> {
  if (!s.run.outcome || isTerminal(s.run.state) || s.run.state === 'CANCELLING') return { job: true }; // a kill came first
  await charge(s, callsFor(s.run).calls);
  await finalize(s);
  return loopKindOf(s.run) === 'cleanup' ? { next: 'cleanup', after: 0 } : { job: true };
}

async function loopCleanup(s: Step): Promise<LoopNext> {
  const result = await cleanup(s);
  return 'done' in result ? { done: true } : { again: result.after };
}

/** A run's poll interval, as the watch loop spaces its reads. */
export const pollIntervalMs = (ctx: StepContext, run: Run) => Math.max(run.poll_interval_seconds, ctx.minPollIntervalSeconds) * 1000;

async function cancel(s: Step): Promise<StepResult> {
  const { resource_group_name: rg, deployment_name: name } = s.spec;
  // A kill of a watched run: the watch loop has nothing more to read.
  await s.ctx.watching?.leave(s.principal, s.run.id);
  const deployment = await s.azure.deployment(rg, name);
  if (deployment && LIVE_DEPLOYMENT.has(deployment.state)) {
    // Cancel first, so that no container group appears after the run is reported cancelled.
    await charge(s, { write: 1 });
    await s.azure.cancelDeployment(rg, name);
    return after(Math.min(pollMs(s), 1000));
  }
  const g = await s.azure.group(rg, s.spec.container_group_name);
  const exit = g?.containerState === 'Terminated' ? g.exitCode ?? -1 : -1;
  return decide(s, { state: 'CANCELLED', status_code: exit, reason: 'Cancelled on request (kill).' }, g ? groupDetails(g) : {});
}

/** Last log read, then the final state and result; cleanup follows. */
async function finalize(s: Step): Promise<StepResult> {
  const outcome = s.run.outcome!;
  const container = s.run.azure.container_name;
  if (container && s.run.azure.group_state !== 'Deleted' && !(s.run.azure.restart_count ?? 0)) {
    try {
      await readLogs(s, container);
    } catch (err) {
      if (classifyAzureError(err).kind === 'transient') throw err;
      // The group is gone or its logs cannot be read: the outcome stands without them.
    }
  }
  const deferred = s.deferred;
  const stored = await s.ctx.store.update(
    s.run.id,
    (current) => {
      let run = current;
      if (deferred) {
        // The outcome was decided by this poll and not written yet: a kill that landed first wins.
        if (run.state !== deferred.from.state || run.outcome) return undefined;
        run = { ...run, outcome, azure: { ...run.azure, ...deferred.details } };
      } else if (isTerminal(run.state)) return undefined;
      return {
        ...transition(run, outcome.state, outcome.reason),
        result: { identifier: run.infrastructure_pid, status_code: outcome.status_code },
        cleanup: { state: 'pending', attempts: 0, started_at: new Date().toISOString() },
      };
    },
    deferred ? { ...deferred.from, log_cursor: s.run.log_cursor, log_lines: s.run.log_lines } : s.run,
  );
  s.deferred = undefined;
  if (stored) s.run = stored;
  if (isTerminal(s.run.state)) await releaseSlot(s.ctx, s.run);
  return NOW;
}

/** A run that ended hands its pool slot to the next run in the pool's queue, and wakes it. */
async function releaseSlot(ctx: StepContext, run: Run): Promise<void> {
  if (run.concurrency_limit === null) return;
  for (const next of await ctx.admission.release(run.work_pool, run.id, run.concurrency_limit)) await ctx.wake(next);
}

/** Whether a create ARM dispatched before the cancel may still bring the group (bounded wait). */
async function createMayStillLand(s: Step, deploymentState: string | undefined): Promise<boolean> {
  if (deploymentState !== 'Canceled') return false;
  const started = s.run.cleanup?.started_at ? Date.parse(s.run.cleanup.started_at) : Date.now();
  const bound = (s.run.start_timeout_seconds > 0 ? s.run.start_timeout_seconds : 600) * 1000;
  if (Date.now() - started > bound) return false;
  return s.azure.groupCreateInFlight(s.spec.resource_group_name, s.spec.deployment_name, s.spec.container_group_name);
}

/**
 * Stop or delete the group, then drop the deployment record. Never changes the run's outcome.
 * When the deployment is known to have finished, both DELETEs go out without a read or a status
 * poll: cleanup is done once Azure accepted them; a group that outlives its DELETE is the orphan
 * sweeper's. Otherwise the deployment is read first (cancelled if live; a create dispatched before a
 * cancel is waited for, bounded).
 */
async function cleanup(s: Step): Promise<StepResult> {
  const { resource_group_name: rg, deployment_name: name, container_group_name: group } = s.spec;
  const attempts = (s.run.cleanup?.attempts ?? 0) + 1;
  const backoff = Math.min(MAX_CLEANUP_DELAY_MS, pollMs(s) * attempts);
  const finalErrors = s.run.cleanup?.last_error?.startsWith('final:') ? attempts - 1 : 0;
  const record = (state: 'pending' | 'done' | 'kept' | 'failed', note: { status?: string; lastError?: string } = {}) =>
    s.ctx.store.update(
      s.run.id,
      (run) => ({
        ...run,
        cleanup: { state, attempts, started_at: run.cleanup?.started_at, ...(note.status ? { status: note.status } : {}), ...(note.lastError ? { last_error: note.lastError } : {}) },
      }),
      s.run,
    );
  if (!s.run.history.some((t) => t.state === 'SUBMITTING' || t.state === 'PROVISIONING' || t.state === 'RUNNING')) {
    await record('done'); // never sent to Azure: nothing to clean up
    return { done: true };
  }
  try {
    let deploymentState = s.run.azure.deployment_state;
    if (mayBeDeploying(s.run)) {
      const deployment = await s.azure.deployment(rg, name);
      deploymentState = deployment?.state;
      if (deployment && LIVE_DEPLOYMENT.has(deployment.state)) {
        await charge(s, { write: 1 }, 'cleanup');
        await s.azure.cancelDeployment(rg, name);
        return after(backoff);
      }
      if (await createMayStillLand(s, deployment?.state)) {
        // ARM dispatched the create before the cancel landed: the group may still appear; wait (bounded).
        await record('pending', { status: 'Waiting for a container group whose creation was dispatched before the cancel.' });
        return after(backoff);
      }
    }
    if (s.run.keep_container_group) await s.azure.stopGroup(rg, group);
    else await s.azure.deleteGroup(rg, group);
    // A kept group keeps its deployment record too: a later submission of the same flow run then
    // finds the record and follows the group instead of sending the deployment again.
    if (deploymentState !== undefined && !s.run.keep_container_group) await s.azure.deleteDeployment(rg, name);
    await record(s.run.keep_container_group ? 'kept' : 'done');
    return { done: true };
  } catch (err) {
    const failure = classifyAzureError(err);
    const permanent = failure.kind === 'final' || failure.kind === 'credential';
    const text = permanent ? `final: ${failure.code}: ${withHint(failure.code, failure.message)}` : `${failure.kind}: ${failure.message}`;
    if (permanent && finalErrors + 1 >= CLEANUP_FINAL_ATTEMPTS) {
      // A lock, a missing permission…: retrying for ever changes nothing. The outcome stands.
      await record('failed', { lastError: `Gave up after ${attempts} attempts: ${text}` });
      return { done: true };
    }
    await record('pending', { lastError: text });
    return after(failure.kind === 'transient' && failure.retryAfterMs ? failure.retryAfterMs : backoff);
  }
}

/** Unless the run saw its deployment finish, cleanup must look at it first. */
const mayBeDeploying = (run: Run) =>
  run.azure.deployment_state === undefined || run.azure.deployment_state === 'Sending' || run.azure.deployment_state === 'Canceled' || LIVE_DEPLOYMENT.has(run.azure.deployment_state);

/**
 * The ARM calls a step will make, booked before it starts (calls found necessary only inside the
 * step are charged there). Happy path, per run: the PUT; one deployment read per provisioning poll;
 * one group read per watch poll (the one that ends provisioning included); the last log read; the
 * group DELETE and the deployment DELETE.
 */
function callsFor(run: Run): { calls: Calls; purpose: Purpose } {
  if (isTerminal(run.state)) {
    const look = mayBeDeploying(run) ? 1 : 0;
    return { calls: run.keep_container_group ? { read: look, write: 1 } : { read: look, delete: 2, groupDelete: 1 }, purpose: 'cleanup' };
  }
  if (run.outcome) return { calls: { read: run.azure.container_name && run.azure.group_state !== 'Deleted' ? 1 : 0 }, purpose: 'lifecycle' };
  switch (run.state) {
    case 'PENDING':
      return { calls: { write: 1, create: 1 }, purpose: 'lifecycle' };
    case 'SUBMITTING':
      return { calls: { read: run.azure.deployment_state === undefined ? 0 : 1, write: 1, create: 1 }, purpose: 'lifecycle' };
    case 'PROVISIONING':
      return { calls: { read: 1 }, purpose: 'lifecycle' };
    case 'RUNNING':
      return { calls: { read: run.stream_output ? 2 : 1 }, purpose: 'watch' };
    default:
      return { calls: { read: 2 }, purpose: 'lifecycle' };
  }
}

/** Identifies the step a booking was made for: a run changed since (a kill) books again. */
const bookingOf = (run: Run) => `${run.state}:${run.version}`;

export interface AdvanceOptions {
  /** Aborts the step's Azure calls (a kill aimed at the run, or shutdown). */
  signal?: AbortSignal;
  /** The booking a previous call made for this step (StepResult.paid). */
  paid?: string;
  /** The job ran before and did not finish its step (BullMQ: stalled, or failed and retried). */
  repeated?: boolean;
}

/**
 * A run whose spec is gone (lost with a Redis that lost data, or never written) cannot reach Azure:
 * it ends CRASHED at once, so it never waits for ever nor stays CANCELLING. Its container group, if
 * any, is left to the orphan sweeper.
 */
async function endWithoutSpec(ctx: StepContext, run: Run): Promise<StepResult> {
  if (isTerminal(run.state)) {
    await ctx.store.update(run.id, (r) => (r.cleanup?.state === 'pending' ? { ...r, cleanup: { ...r.cleanup, state: 'done', status: 'The run spec is gone; nothing left to clean up from here.' } } : undefined));
    return { done: true };
  }
  const reason = 'The run spec (what to deploy, and where) is missing from the store; the run cannot go on.';
  await ctx.store.update(run.id, (r) =>
    isTerminal(r.state)
      ? undefined
      : {
          ...transition(r, 'CRASHED', reason),
          outcome: { state: 'CRASHED', status_code: -1, reason },
          result: { identifier: r.infrastructure_pid, status_code: -1 },
          cleanup: { state: 'done', attempts: 0 },
        },
  );
  return { done: true };
}

/** Azure refused the credential: final before the container runs; while it runs, after a grace. */
async function credentialRefused(s: Step, failure: AzureFailure & { code: string }): Promise<StepResult> {
  const [who] = s.azure.principal.split('@');
  const [tenant, client] = who.includes('/') ? who.split('/') : ['(default credential)', who];
  const reason =
    who === 'default-credential'
      ? `No Azure credential is available (the pool names no service principal and DefaultAzureCredential found none) (${failure.code}): ${failure.message}`
      : `Azure refused the credential of client id ${client} in tenant ${tenant} (${failure.code}): ${failure.message}`;
  const details = { error_code: failure.code, error_message: failure.message };
  if (s.run.state !== 'RUNNING') {
    credentialRefusedFinal(s.run.id, failure.code);
    return decide(s, { state: 'CRASHED', status_code: -1, reason }, details);
  }
  const since = s.run.azure.credential_failure_since ? Date.parse(s.run.azure.credential_failure_since) : Date.now();
  const grace = (s.ctx.credentialFailureGraceSeconds ?? DEFAULT_CREDENTIAL_GRACE_SECONDS) * 1000;
  if (Date.now() - since >= grace) {
    credentialRefusedFinal(s.run.id, failure.code);
    return decide(s, { state: 'CRASHED', status_code: -1, reason: `${reason}. The container may still run; it could not be watched for ${grace / 1000}s.` }, details);
  }
  // The container still runs: keep the run, show the problem, try again.
  credentialRefusedWhileRunning(s.run.id, failure.code);
  await s.ctx.store.update(s.run.id, (run) => ({
    ...run,
    azure: { ...run.azure, credential_failure_since: run.azure.credential_failure_since ?? new Date(since).toISOString(), credential_failure: reason },
  }));
  throw new TransientFailure(reason, Math.min(pollMs(s) * 4, 60_000));
}

/** One step of the run: book its ARM calls (or wait for the booked slot), then make them. */
export async function advance(ctx: StepContext, runId: string, options: AdvanceOptions = {}): Promise<StepResult> {
  const run = await ctx.store.get(runId);
  if (!run) return { done: true };
  if (isTerminal(run.state) && run.cleanup?.state !== 'pending') return { done: true };
  if (run.state === 'PENDING' && run.concurrency_limit !== null) {
    const { admitted, wake } = await ctx.admission.admit(run.work_pool, run.id, run.concurrency_limit, Date.parse(run.submitted_at));
    for (const other of wake) await ctx.wake(other);
    if (!admitted) {
      // The pool is full: the run is queued in submission order and sleeps until a slot is handed to it.
      const reason = `Work pool "${run.work_pool}" is at its concurrency limit (${run.concurrency_limit}).`;
      if (run.pending_reason !== reason) await ctx.store.update(runId, (r) => (r.state === 'PENDING' ? { ...r, pending_reason: reason } : undefined));
      return after(POOL_WAIT_BACKSTOP_MS);
    }
  }
  // The budget is taken first, on the principal kept in clear: a step that must wait reads no spec.
  let spec: RunSpec | undefined;
  let principal = run.principal;
  if (!principal) {
    spec = await ctx.store.spec(runId);
    if (!spec) return endWithoutSpec(ctx, run);
    principal = ctx.clients.for(spec.credentials, spec.subscription_id).budgetKey;
  }
  // A run the loop holds needs no job. A cleanup the loop can do is handed to it (no job cycle waits
  // for the cleanup's slot).
  const kind = ctx.watching ? loopKindOf(run) : undefined;
  if (kind && (await ctx.watching!.has(principal, run.id, kind))) return HANDED_OVER;
  if (kind === 'cleanup') {
    await ctx.watching!.enter(principal, run.id, 0, 'cleanup');
    return HANDED_OVER;
  }
  if (options.paid !== bookingOf(run)) {
    const { calls, purpose } = callsFor(run);
    // A submission that would wait for its slot is handed to the loop, which sends it when the budget
    // allows (a wait there costs no job cycle); one that can go now goes now.
    const handOver = ctx.watching !== undefined && kind === 'submit';
    const wait = handOver ? await ctx.pacer.tryNow(principal, calls, purpose, run.id) : await ctx.pacer.reserve(principal, calls, purpose, run.id);
    if (wait > 0) {
      pacerWait.observe({ purpose }, wait / 1000);
      if (handOver) {
        await ctx.watching!.enter(principal, run.id, 0, 'submit');
        return HANDED_OVER;
      }
      return { after: wait, paid: bookingOf(run) };
    }
  }
  spec ??= await ctx.store.spec(runId);
  if (!spec) return endWithoutSpec(ctx, run);
  const azure = new AzureGateway(ctx.clients.for(spec.credentials, spec.subscription_id), { timeoutMs: ctx.azureCallTimeoutMs, signal: options.signal });
  // A submit step that finds its run already SUBMITTING is a repeat: the step before it stopped midway.
  const s: Step = { run, spec, azure, ctx, principal, repeated: Boolean(options.repeated) || run.state === 'SUBMITTING' };
  const endStep = stepDuration.startTimer({ step: stepName(run) });
  let stepOutcome = 'error';
  try {
    const result = await runStep(s);
    stepOutcome = 'ok';
    return result;
  } catch (err) {
    if (err instanceof TransientFailure) {
      stepOutcome = 'transient';
      throw err;
    }
    if (err instanceof UnrenderableRun && !s.run.outcome) {
      stepOutcome = 'final';
      return decide(s, { state: 'CRASHED', status_code: -1, reason: `The run could not be rendered: ${err.message}` }, { error_code: 'RunNotRenderable' });
    }
    const failure = classifyAzureError(err);
    stepOutcome = failure.kind;
    if (failure.kind === 'credential' && !s.run.outcome && s.run.state !== 'CANCELLING') return credentialRefused(s, failure);
    const submitting = s.run.state === 'SUBMITTING' || s.run.state === 'PROVISIONING' || s.run.state === 'PENDING';
    if ((failure.kind === 'final' || failure.kind === 'not-found') && submitting && !s.run.outcome) {
      return decide(s, { state: 'CRASHED', status_code: -1, reason: `Azure refused the deployment: ${failure.code}: ${withHint(failure.code, failure.message)}` }, azureError(failure.code, failure.message));
    }
    // Reads of a running group are never a reason to end it (Prefect weakness §7.7): retry.
    throw new TransientFailure(failure.message, failure.kind === 'transient' ? failure.retryAfterMs : undefined);
  } finally {
    endStep({ outcome: stepOutcome });
  }
}

/** The step's name in metrics: what the run's state asks for next. */
function stepName(run: Run): string {
  if (isTerminal(run.state)) return 'cleanup';
  if (run.outcome) return 'finalize';
  return { PENDING: 'submit', SUBMITTING: 'submit', PROVISIONING: 'provision', RUNNING: 'watch', CANCELLING: 'cancel' }[run.state as string] ?? 'none';
}

async function runStep(s: Step): Promise<StepResult> {
  const { run } = s;
  if (isTerminal(run.state)) return cleanup(s);
  if (run.outcome) return finalize(s);
  switch (run.state) {
    case 'PENDING':
    case 'SUBMITTING':
      return submit(s);
    case 'PROVISIONING':
      return provision(s);
    case 'RUNNING':
      return watch(s);
    case 'CANCELLING':
      return cancel(s);
  }
  return { done: true };
}
