// The Run's use cases: preview, submit, read, list, kill and logs.
import { hash as digest, randomUUID } from 'node:crypto';
import { FULL_ACCESS, seesPool, type Access } from '../access.js';
import { principalId } from '../azure/clients.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { wakeRun, type RunsQueue } from '../execution/queue.js';
import { TickBatch } from './tick-batch.js';
import { newRunJson } from './run-json.js';
import { DEFAULT_POOL, type WorkPool } from '../work-pools/model.js';
import type { WorkPoolService } from '../work-pools/service.js';
import { isTerminal, transition, type Run, type RunSpec, type RunState } from './model.js';
import { checkSubmission, maskPreparedRun, renderSubmission, type CheckedSubmission, type Submission, type SubmissionInput } from './render.js';
import type { RunStore } from './store.js';

export function settleFlowRunId(input: SubmissionInput): Submission {
  const id = input.flow_run.id;
  // Most clients send a settled id: the body is used as it is, not copied.
  if (id !== undefined && id === id.toLowerCase()) return input as Submission;
  return { ...input, flow_run: { ...input.flow_run, id: (id ?? randomUUID()).toLowerCase() } };
}

/** Objects with at most this many keys are sorted by insertion (no allocation); larger ones by Array.sort. */
const SMALL_OBJECT_KEYS = 16;

/** JSON with object keys sorted: the same body in any key order gives the same text (and hash). */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i ? ',' : '') + (canonical(value[i]) ?? 'null');
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  let text = '{';
  const keys = Object.keys(record);
  if (keys.length <= SMALL_OBJECT_KEYS) {
    // Insertion sort in place: most objects have few keys, often in order already (then nothing moves).
    for (let i = 1; i < keys.length; i++) {
      const key = keys[i];
      let j = i - 1;
      for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
      keys[j + 1] = key;
    }
  } else {
    // A client may send an object with many keys in any order: n log n, never n².
    for (let i = 1; i < keys.length; i++) {
      if (keys[i - 1] > keys[i]) {
        keys.sort();
        break;
      }
    }
  }
  for (const key of keys) {
    const item = canonical(record[key]);
    if (item === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${item}`;
  }
  return `${text}}`;
}

const PID_PATTERN = /^([^:]+):([^:]*)$/;

type Position = { score: number; id: string };

const encodeCursor = (p: Position) => Buffer.from(`${p.score}|${p.id}`).toString('base64url');

function decodeCursor(cursor: string): Position {
  const [score, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!id || !Number.isFinite(Number(score))) {
    throw new AppError('VALIDATION_FAILED', 400, 'The cursor is not valid.', [{ path: '/cursor', message: 'is not a next_cursor from this API' }]);
  }
  return { score: Number(score), id };
}

export interface RunPage {
  items: Run[];
  next_cursor: string | null;
}

export class RunService {
  /**
   * Jobs re-added by repeated POSTs of unfinished runs, added together per turn of the event loop (one MULTI
   * per queue shard); a new run's job is added by a worker's intake.
   */
  private readonly enqueues: TickBatch<string, undefined>;
  private readonly principals = new WeakMap<object, string>();

  constructor(
    private readonly config: Config,
    private readonly workPools: WorkPoolService,
    private readonly store: RunStore,
    private readonly queue: RunsQueue,
  ) {
    this.enqueues = new TickBatch({
      groupOf: (runId) => queue.shards.indexOf(queue.forRun(runId)),
      send: async (runIds) => {
        // A job with that id already there is left as it is (BullMQ answers the existing job).
        await queue.forRun(runIds[0]).addBulk(runIds.map((runId) => ({ name: 'run', data: { runId }, opts: { jobId: runId } })));
        return runIds.map(() => undefined);
      },
    });
  }

  private enqueue(runId: string): Promise<undefined> {
    return this.enqueues.submit(runId);
  }

  async preview(input: SubmissionInput, access: Access = FULL_ACCESS) {
    const submission = settleFlowRunId(input);
    const { pool } = await this.workPools.compiled(submission.work_pool ?? DEFAULT_POOL, access);
    const prepared = renderSubmission(submission, pool, this.config);
    const masked = maskPreparedRun(prepared, pool.secret_env_names);
    return {
      flow_run_id: submission.flow_run.id,
      work_pool: pool.name,
      infrastructure_pid: prepared.infrastructurePid,
      container_group_name: prepared.containerGroupName,
      deployment_name: prepared.deploymentName,
      resource_group_name: prepared.jobConfiguration.resource_group_name,
      job_configuration: masked.jobConfiguration,
      deployment: masked.deployment,
    };
  }

  /**
   * Stores a run (one script, which also puts it on the intake where a worker adds its job); the same
   * flow run id again gives the stored run and no second deployment. A repeated POST of an unfinished
   * run adds its job if it is missing, and the reconciler adds any job still missing. A new run comes
   * with `view`, its answer as JSON text (cut from the strings its create stored: run-json.ts).
   */
  async submit(input: SubmissionInput, access: Access = FULL_ACCESS): Promise<{ run: Run; created: boolean; view?: string }> {
    const submission = settleFlowRunId(input);
    const hash = digest('sha256', canonical(submission), 'hex');
    for (let attempt = 0; ; attempt++) {
      const { run, spec, version } = await this.newRun(submission, hash, access);
      const json = newRunJson(run);
      const result = await this.store.create(run, spec, version, json);
      // The create script put the run on its shard's intake: a worker adds its job (intake.ts).
      if (result.kind === 'created') return { run, created: true, view: json.view };
      if (result.kind === 'exists') {
        const stored = await this.store.get(run.id);
        if (!stored) continue; // expired in between: answer from the tombstone
        this.sameSubmission(stored, hash, access);
        if (!isTerminal(stored.state)) await this.enqueue(stored.id);
        return { run: stored, created: false };
      }
      if (result.kind === 'expired') {
        const { tombstone } = result;
        if (tombstone.submission_hash !== hash) {
          throw new AppError('RUN_CONFLICT', 409, `Flow run ${run.id} was already submitted with a different body.`);
        }
        throw new AppError('RUN_EXPIRED', 409, `Flow run ${run.id} already ended ${tombstone.state} and its record has expired; it is not deployed again.`);
      }
      // The work pool changed since this process compiled it: render again with the new one.
      this.workPools.invalidate(result.version);
      if (attempt >= 3) throw new AppError('WORK_POOL_CHANGING', 503, 'The work pool kept changing while the run was being submitted; try again.');
    }
  }

  /**
   * The run and spec a submission is stored as, and the pool version they were checked with. Checked
   * now (400 / 422 as a full render would give); the worker renders the deployment when it sends it.
   */
  async newRun(submission: Submission, hash: string, access: Access = FULL_ACCESS): Promise<{ run: Run; spec: RunSpec; version: string }> {
    const { pool, revision, version } = await this.workPools.compiled(submission.work_pool ?? DEFAULT_POOL, access);
    const checked = checkSubmission(submission, pool, this.config);
    return { ...this.runOf(submission, hash, pool, revision, checked, access), version };
  }

  private runOf(submission: Submission, hash: string, pool: WorkPool, revision: string, prepared: CheckedSubmission, access: Access): { run: Run; spec: RunSpec } {
    const now = new Date().toISOString();
    const config = prepared.jobConfiguration;
    const { job_variables: _secrets, ...deployment } = submission.deployment ?? {};
    const run: Run = {
      id: submission.flow_run.id,
      work_pool: pool.name,
      state: 'PENDING',
      history: [{ state: 'PENDING', at: now, reason: 'Submitted and queued.', by: access.actor }],
      infrastructure_pid: prepared.infrastructurePid,
      container_group_name: prepared.containerGroupName,
      deployment_name: prepared.deploymentName,
      resource_group_name: config.resource_group_name,
      flow_run: submission.flow_run,
      ...(submission.flow ? { flow: submission.flow } : {}),
      ...(submission.deployment ? { deployment } : {}),
      concurrency_limit: pool.concurrency_limit,
      ...(pool.on_quota === 'fail' ? { on_quota: 'fail' as const } : {}),
      keep_container_group: config.keep_container_group,
      stream_output: config.stream_output,
      poll_interval_seconds: config.task_watch_poll_interval,
      start_timeout_seconds: config.task_start_timeout_seconds,
      submitted_at: now,
      updated_at: now,
      azure: {},
      log_lines: 0,
      submission_hash: hash,
      principal: this.principalOf(config),
      version: 0,
    };
    const spec: RunSpec = {
      subscription_id: config.subscription_id,
      resource_group_name: config.resource_group_name,
      credentials: config.aci_credentials,
      deployment_name: prepared.deploymentName,
      container_group_name: prepared.containerGroupName,
      pool_revision: revision,
      ...(submission.deployment?.job_variables || submission.job_variables
        ? { job_variables: { ...(submission.deployment?.job_variables ? { deployment: submission.deployment.job_variables } : {}), ...(submission.job_variables ? { flow_run: submission.job_variables } : {}) } }
        : {}),
      ...(prepared.restartPolicy ? { restart_policy: prepared.restartPolicy } : {}),
    };
    return { run, spec };
  }

  /** The principal of a job configuration (a hash), worked out once per cached configuration. */
  private principalOf(config: CheckedSubmission['jobConfiguration']): string {
    let principal = this.principals.get(config);
    if (!principal) {
      principal = principalId(config.aci_credentials, config.subscription_id, this.config.defaultServicePrincipal);
      this.principals.set(config, principal);
    }
    return principal;
  }

  private sameSubmission(existing: Run, hash: string, access: Access): Run {
    // A run of a pool the caller cannot see is never returned; the id is taken all the same.
    if (existing.submission_hash !== hash || !seesPool(access, existing.work_pool)) {
      throw new AppError('RUN_CONFLICT', 409, `Flow run ${existing.id} was already submitted with a different body.`);
    }
    return existing;
  }

  /** A run of a pool the caller cannot see is answered exactly like a run that does not exist. */
  async get(id: string, access: Access = FULL_ACCESS): Promise<Run> {
    const run = await this.store.get(id.toLowerCase());
    if (!run || !seesPool(access, run.work_pool)) throw new AppError('RUN_NOT_FOUND', 404, `No run for flow run ${id}.`);
    return run;
  }

  async list(filter: { state?: RunState; work_pool?: string; limit: number; cursor?: string }, access: Access = FULL_ACCESS): Promise<RunPage> {
    let position = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    const items: Run[] = [];
    // Newest first, in chunks, until the page is full or the index ends (bounded for sparse filters).
    for (let chunk = 0; chunk < 20; chunk++) {
      const entries = await this.store.page(position, 200);
      if (entries.length === 0) return { items, next_cursor: null };
      const runs = await this.store.getMany(entries.map((e) => e.id));
      for (let i = 0; i < entries.length; i++) {
        position = entries[i];
        const run = runs[i];
        if (!run || !seesPool(access, run.work_pool)) continue;
        if ((filter.state && run.state !== filter.state) || (filter.work_pool && run.work_pool !== filter.work_pool)) continue;
        items.push(run);
        if (items.length === filter.limit) return { items, next_cursor: encodeCursor(position) };
      }
    }
    return { items, next_cursor: position ? encodeCursor(position) : null };
  }

  /** kill_infrastructure: `<flow_run_id>:<container_group_name>`. */
  async kill(pid: string, access: Access = FULL_ACCESS): Promise<Run> {
    const match = PID_PATTERN.exec(pid);
    if (!match || !match[2]) {
      throw new AppError(
        'INVALID_INFRASTRUCTURE_PID',
        400,
        `Invalid infrastructure_pid format: '${pid}'. Expected format: 'flow_run_id:container_group_name'`,
      );
    }
    const [, flowRunId, group] = match;
    const run = await this.store.get(flowRunId.toLowerCase());
    if (!run || run.container_group_name !== group || !seesPool(access, run.work_pool)) {
      throw new AppError('INFRASTRUCTURE_NOT_FOUND', 404, `Container group '${group}' is not known for flow run '${flowRunId}'.`);
    }
    if (isTerminal(run.state)) {
      throw new AppError('RUN_ALREADY_FINISHED', 409, `Flow run ${run.id} already ended ${run.state}; there is nothing to kill.`);
    }
    const updated = await this.store.update(run.id, (current) =>
      isTerminal(current.state) || current.state === 'CANCELLING' || current.outcome ? undefined : transition(current, 'CANCELLING', 'Kill requested.', new Date(), access.actor),
    );
    await wakeRun(this.queue, run.id);
    return updated ?? run;
  }

  async counts() {
    const [transitions, unfinished] = await Promise.all([this.store.transitionCounts(), this.store.unfinishedCount()]);
    return { transitions, unfinished };
  }

  /** Kept lines after stream id `after` (all without it), at most `count`. */
  async logs(id: string, after?: string, count?: number, access: Access = FULL_ACCESS) {
    const run = await this.get(id, access);
    return { run, lines: await this.store.logs(run.id, after, count) };
  }
}

