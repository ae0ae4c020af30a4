// The steps that carry a run from PENDING to a final state. Each step reads the run first and is
// safe to repeat: a worker killed anywhere is replaced by one that carries on (at-least-once).
import type { Logger } from 'pino';
import type { AzureClientCache } from '../azure/clients.js';
import { classifyAzureError } from '../azure/errors.js';
import { AzureGateway, type GroupStatus } from '../azure/gateway.js';
import { isTerminal, transition, type Outcome, type Run, type RunSpec, type RunState } from '../runs/model.js';
import type { RunStore } from '../runs/store.js';
import { newLines, parseLogContent } from './log-lines.js';
import type { ReadPacer } from './pacing.js';

export interface StepContext {
  store: RunStore;
  clients: AzureClientCache;
  pacer: ReadPacer;
  log: Logger;
  minPollIntervalSeconds: number;
  /** AZURE_CALL_TIMEOUT_MS: the bound of every Azure call a step makes. */
  azureCallTimeoutMs: number;
}

export type StepResult = { done: true } | { after: number };

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

const LIVE_DEPLOYMENT = new Set(['Accepted', 'Running', 'Created', 'Creating', 'Updating', 'Ready', 'NotSpecified', 'Waiting']);
const STREAM_TAIL = 1000;
const POOL_FULL_RETRY_MS = 1000;
const MAX_CLEANUP_DELAY_MS = 5 * 60_000;

interface Step {
  run: Run;
  spec: RunSpec;
  azure: AzureGateway;
  ctx: StepContext;
}

const pollMs = (s: Step) => Math.max(s.run.poll_interval_seconds, s.ctx.minPollIntervalSeconds) * 1000;
const after = (ms: number): StepResult => ({ after: Math.max(0, Math.round(ms)) });
const NOW: StepResult = { after: 0 };

/** Writes a change only if the run is still in `from`; false when someone (a kill) moved it. */
async function move(s: Step, from: RunState, change: (run: Run) => Run): Promise<boolean> {
  let moved = false;
  const stored = await s.ctx.store.update(s.run.id, (run) => {
    if (run.state !== from || run.outcome) return undefined;
    moved = true;
    return change(run);
  });
  if (stored) s.run = stored;
  return moved;
}

async function decide(s: Step, outcome: Outcome, details: Partial<Run['azure']> = {}): Promise<StepResult> {
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
  };
}

function exitOutcome(g: GroupStatus): Outcome {
  const code = g.exitCode ?? -1;
  if (code === 0) return { state: 'COMPLETED', status_code: 0, reason: 'The container exited with code 0.' };
  const hint = code === 137 || g.detailStatus === 'OOMKilled' ? ' It was killed, most likely for running out of memory.' : '';
  return { state: 'FAILED', status_code: code, reason: `The container exited with code ${code}.${hint}` };
}

async function submit(s: Step): Promise<StepResult> {
  if (s.run.state === 'PENDING' && !(await move(s, 'PENDING', ({ pending_reason: _, ...run }) => transition(run, 'SUBMITTING', 'A worker took the run.')))) {
    return NOW;
  }
  const { resource_group_name: rg, deployment_name: name } = s.spec;
  // Look before creating: a worker that died after the PUT must not deploy twice.
  const existing = await s.azure.deployment(rg, name);
  if (!existing) await s.azure.startDeployment(rg, name, s.spec.deployment_body);
  const timeout = s.run.start_timeout_seconds;
  await move(s, 'SUBMITTING', (run) => ({
    ...transition(run, 'PROVISIONING', existing ? `Deployment ${name} found (${existing.state}); following it.` : `Deployment ${name} sent to Azure Resource Manager.`),
    provisioning_deadline: timeout > 0 ? new Date(Date.now() + timeout * 1000).toISOString() : undefined,
    azure: { ...run.azure, deployment_state: existing?.state ?? 'Accepted' },
  }));
  return after(Math.min(pollMs(s), timeout > 0 ? timeout * 1000 : Infinity));
}

async function provision(s: Step): Promise<StepResult> {
  const { resource_group_name: rg, deployment_name: name, container_group_name: group } = s.spec;
  const deployment = await s.azure.deployment(rg, name);
  const deadline = s.run.provisioning_deadline ? Date.parse(s.run.provisioning_deadline) : Infinity;
  if (!deployment || LIVE_DEPLOYMENT.has(deployment.state)) {
    if (Date.now() > deadline) {
      await s.azure.cancelDeployment(rg, name);
      return decide(s, {
        state: 'CRASHED',
        status_code: -1,
        reason: `Timed out after ${s.run.start_timeout_seconds}s waiting for the container group to start; the deployment was cancelled.`,
      }, { deployment_state: 'Canceled', error_code: 'ProvisioningTimeout' });
    }
    if (!deployment) await s.azure.startDeployment(rg, name, s.spec.deployment_body);
    await s.ctx.store.update(s.run.id, (run) => (run.azure.deployment_state === deployment?.state ? undefined : { ...run, azure: { ...run.azure, deployment_state: deployment?.state ?? 'Accepted' } }));
    return after(Math.min(pollMs(s), Math.max(0, deadline - Date.now()) + 1));
  }
  if (deployment.state === 'Succeeded') {
    const g = await s.azure.group(rg, group);
    if (!g) {
      return decide(s, { state: 'CRASHED', status_code: -1, reason: 'The deployment succeeded but the container group does not exist.' }, { deployment_state: 'Succeeded' });
    }
    await move(s, 'PROVISIONING', (run) => ({
      ...transition(run, 'RUNNING', 'The container group is provisioned and its container runs.'),
      azure: { ...run.azure, deployment_state: 'Succeeded', ...groupDetails(g) },
    }));
    return g.containerState === 'Terminated' ? decide(s, exitOutcome(g), groupDetails(g)) : after(pollMs(s));
  }
  const cause = deployment.state === 'Failed' ? await s.azure.deploymentFailure(rg, name) : undefined;
  if (cause && TRANSIENT_CAUSES.has(cause.code) && Date.now() < deadline) {
    // A throttled or flaky resource provider: deploy again later rather than fail the run.
    await s.azure.startDeployment(rg, name, s.spec.deployment_body);
    throw new TransientFailure(`The deployment failed with ${cause.code} (${cause.message}); sent it again.`);
  }
  return decide(
    s,
    {
      state: 'CRASHED',
      status_code: -1,
      reason: cause ? `Azure could not create the container group: ${cause.code}: ${cause.message}` : `The deployment ended ${deployment.state}.`,
    },
    { deployment_state: deployment.state, error_code: cause?.code ?? `Deployment${deployment.state}`, error_message: cause?.message },
  );
}

async function readLogs(s: Step, container: string, tail?: number): Promise<void> {
  const content = await s.azure.logs(s.spec.resource_group_name, s.spec.container_group_name, container, tail);
  const { lines, cursor } = newLines(parseLogContent(content), s.run.log_cursor);
  if (lines.length === 0) return;
  // Lines and cursor move together; a repeated read (cursor already moved) adds nothing.
  const count = await s.ctx.store.appendLogs(s.run.id, lines, s.run.log_cursor, cursor);
  if (count !== undefined) s.run = { ...s.run, log_cursor: cursor, log_lines: count };
}

async function watch(s: Step): Promise<StepResult> {
  const g = await s.azure.group(s.spec.resource_group_name, s.spec.container_group_name);
  if (!g) {
    return decide(s, { state: 'CRASHED', status_code: -1, reason: 'The container group vanished while the flow run was running (deleted outside the service).' }, { group_state: 'Deleted' });
  }
  if (g.containerState === 'Terminated') return decide(s, exitOutcome(g), groupDetails(g));
  if (g.groupState === 'Stopped') {
    return decide(s, { state: 'CRASHED', status_code: -1, reason: 'The container group was stopped outside the service.' }, groupDetails(g));
  }
  if (s.run.stream_output && g.containerName) await readLogs(s, g.containerName, STREAM_TAIL);
  await s.ctx.store.update(s.run.id, (run) =>
    run.azure.container_state === g.containerState && run.azure.group_state === g.groupState ? undefined : { ...run, azure: { ...run.azure, ...groupDetails(g) } },
  );
  return after(pollMs(s));
}

async function cancel(s: Step): Promise<StepResult> {
  const { resource_group_name: rg, deployment_name: name } = s.spec;
  const deployment = await s.azure.deployment(rg, name);
  if (deployment && LIVE_DEPLOYMENT.has(deployment.state)) {
    // Cancel first, so that no container group appears after the run is reported cancelled.
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
  if (container && s.run.azure.group_state !== 'Deleted') {
    try {
      await readLogs(s, container);
    } catch (err) {
      if (classifyAzureError(err).kind === 'transient') throw err;
      // The group is gone or its logs cannot be read: the outcome stands without them.
    }
  }
  await s.ctx.store.update(s.run.id, (run) =>
    isTerminal(run.state)
      ? undefined
      : {
          ...transition(run, outcome.state, outcome.reason),
          result: { identifier: run.infrastructure_pid, status_code: outcome.status_code },
          cleanup: { state: 'pending', attempts: 0 },
        },
  );
  return NOW;
}

/** Stop or delete the group, then drop the deployment record. Never changes the run's outcome. */
async function cleanup(s: Step): Promise<StepResult> {
  const { resource_group_name: rg, deployment_name: name, container_group_name: group } = s.spec;
  const attempts = (s.run.cleanup?.attempts ?? 0) + 1;
  const backoff = Math.min(MAX_CLEANUP_DELAY_MS, pollMs(s) * attempts);
  const record = (state: 'pending' | 'done' | 'kept', lastError?: string) =>
    s.ctx.store.update(s.run.id, (run) => ({ ...run, cleanup: { state, attempts, ...(lastError ? { last_error: lastError } : {}) } }));
  try {
    if (s.run.keep_container_group) {
      await s.azure.stopGroup(rg, group);
    } else if (await s.azure.group(rg, group)) {
      await s.azure.deleteGroup(rg, group);
      await record('pending', 'Waiting for the container group to be deleted.');
      return after(backoff);
    }
    const deployment = await s.azure.deployment(rg, name);
    if (deployment && LIVE_DEPLOYMENT.has(deployment.state)) {
      await s.azure.cancelDeployment(rg, name);
      return after(backoff);
    }
    if (deployment) await s.azure.deleteDeployment(rg, name);
    await record(s.run.keep_container_group ? 'kept' : 'done');
    return { done: true };
  } catch (err) {
    const failure = classifyAzureError(err);
    await record('pending', `${failure.kind}: ${failure.message}`);
    return after(failure.kind === 'transient' && failure.retryAfterMs ? failure.retryAfterMs : backoff);
  }
}

/**
 * ARM reads a step makes (its SDK long-running-operation polls included), paid before it starts:
 * watching reads the group (and its logs); the last log read is one; every other step reads two
 * (deployment + group, or deployment + the PUT's first status poll).
 */
function readsFor(run: Run): { reads: number; purpose: 'watch' | 'lifecycle' } {
  if (run.state === 'RUNNING' && !run.outcome) return { reads: run.stream_output ? 2 : 1, purpose: 'watch' };
  return { reads: run.outcome && !isTerminal(run.state) ? 1 : 2, purpose: 'lifecycle' };
}

/**
 * A run whose spec is gone (lost with a Redis that lost data, or never written) cannot reach Azure:
 * it ends CRASHED at once, so it never waits for ever nor stays CANCELLING. Its container group, if
 * any, is left to the orphan sweeper.
 */
async function endWithoutSpec(ctx: StepContext, run: Run): Promise<StepResult> {
  if (isTerminal(run.state)) {
    await ctx.store.update(run.id, (r) => (r.cleanup?.state === 'pending' ? { ...r, cleanup: { ...r.cleanup, state: 'done', last_error: 'The run spec is gone; nothing left to clean up from here.' } } : undefined));
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

/** One step of the run; `signal` aborts its Azure calls (a kill aimed at the run, or shutdown). */
export async function advance(ctx: StepContext, runId: string, signal?: AbortSignal): Promise<StepResult> {
  const run = await ctx.store.get(runId);
  if (!run) return { done: true };
  if (isTerminal(run.state) && run.cleanup?.state !== 'pending') return { done: true };
  if (run.state === 'PENDING' && run.concurrency_limit !== null && !(await ctx.store.acquireSlot(run.work_pool, run.id, run.concurrency_limit))) {
    // The pool is full: wait without spending ARM reads.
    const reason = `Work pool "${run.work_pool}" is at its concurrency limit (${run.concurrency_limit}).`;
    if (run.pending_reason !== reason) await ctx.store.update(runId, (r) => (r.state === 'PENDING' ? { ...r, pending_reason: reason } : undefined));
    return after(Math.max(ctx.minPollIntervalSeconds * 1000, POOL_FULL_RETRY_MS));
  }
  const spec = await ctx.store.spec(runId);
  if (!spec) return endWithoutSpec(ctx, run);
  const azure = new AzureGateway(ctx.clients.for(spec.credentials, spec.subscription_id), { timeoutMs: ctx.azureCallTimeoutMs, signal });
  const { reads, purpose } = readsFor(run);
  const wait = await ctx.pacer.take(azure.principal, reads, purpose);
  if (wait > 0) return after(wait);
  const s: Step = { run, spec, azure, ctx };
  try {
    if (isTerminal(run.state)) return await cleanup(s);
    if (run.outcome) return await finalize(s);
    switch (run.state) {
      case 'PENDING':
      case 'SUBMITTING':
        return await submit(s);
      case 'PROVISIONING':
        return await provision(s);
      case 'RUNNING':
        return await watch(s);
      case 'CANCELLING':
        return await cancel(s);
    }
  } catch (err) {
    const failure = classifyAzureError(err);
    const submitting = s.run.state === 'SUBMITTING' || s.run.state === 'PROVISIONING' || s.run.state === 'PENDING';
    if (failure.kind !== 'transient' && submitting && !s.run.outcome) {
      return decide(s, { state: 'CRASHED', status_code: -1, reason: `Azure refused the deployment: ${failure.code}: ${failure.message}` }, {
        error_code: failure.code,
        error_message: failure.message,
      });
    }
    // Reads of a running group are never a reason to end it (Prefect weakness §7.7): retry.
    throw new TransientFailure(failure.message, failure.kind === 'transient' ? failure.retryAfterMs : undefined);
  }
  return { done: true };
}
