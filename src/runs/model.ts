// The Run: one flow run on ACI, its states and the history of how it got there.

export const RUN_STATES = ['PENDING', 'SUBMITTING', 'PROVISIONING', 'RUNNING', 'COMPLETED', 'FAILED', 'CRASHED', 'CANCELLING', 'CANCELLED'] as const;
export type RunState = (typeof RUN_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<RunState> = new Set(['COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED']);
export const isTerminal = (state: RunState) => TERMINAL_STATES.has(state);

export interface Transition {
  state: RunState;
  at: string;
  reason: string;
  /** Short id of the API key that caused it (submission, kill); absent for the worker's own steps. */
  by?: string;
}

export interface AzureDetails {
  subscription_id_hint?: string;
  deployment_state?: string;
  provisioning_state?: string;
  group_state?: string;
  container_state?: string;
  exit_code?: number;
  /** Azure's own error code and message when something failed, e.g. InaccessibleImage. */
  error_code?: string;
  error_message?: string;
  /** What to do about error_code when it will not go away by itself (permissions, registration…). */
  error_hint?: string;
  /** The last transient error (retried), for visibility. */
  last_transient_error?: string;
  container_name?: string;
  /** How often Azure restarted the container (it may, even under restartPolicy Never). */
  restart_count?: number;
  /** Since when the run's credential has been refused while its container runs (ISO time), and why. */
  credential_failure_since?: string;
  credential_failure?: string;
  /** Since when the container has been Waiting after it had started (ISO time). */
  waiting_since?: string;
}

export interface Cleanup {
  /** failed: given up after a bound on a permanent error; the group may still exist (see last_error). */
  state: 'pending' | 'done' | 'kept' | 'failed';
  attempts: number;
  /** What cleanup is waiting for, while it waits (never an error). */
  status?: string;
  /** The last error cleanup met (kept apart from its status). */
  last_error?: string;
  /** When cleanup began (ISO time), for its bounds. */
  started_at?: string;
}

/** What the run will end as, decided before the last log read and cleanup. */
export interface Outcome {
  state: 'COMPLETED' | 'FAILED' | 'CRASHED' | 'CANCELLED';
  status_code: number;
  reason: string;
}

export interface Run {
  id: string;
  work_pool: string;
  state: RunState;
  history: Transition[];
  infrastructure_pid: string;
  container_group_name: string;
  deployment_name: string;
  resource_group_name: string;
  flow_run: Record<string, unknown>;
  flow?: Record<string, unknown>;
  deployment?: Record<string, unknown>;
  /** The pool's limit when the run was submitted; null for none. */
  concurrency_limit: number | null;
  /** The pool's choice on ContainerGroupQuotaReached ('fail'); absent means wait until the start deadline. */
  on_quota?: 'fail';
  /** Why a PENDING run has not started yet (e.g. the pool's concurrency limit). */
  pending_reason?: string;
  keep_container_group: boolean;
  stream_output: boolean;
  poll_interval_seconds: number;
  start_timeout_seconds: number;
  submitted_at: string;
  updated_at: string;
  provisioning_deadline?: string;
  azure: AzureDetails;
  outcome?: Outcome;
  result?: { identifier: string; status_code: number };
  cleanup?: Cleanup;
  log_lines: number;
  /** True when Azure's cap on an exited container's output (16 KB / 1,000 lines) cut what the service could read. */
  logs_truncated?: boolean;
  /** Where log reading stopped (internal). */
  log_cursor?: { ts: string; atTs: number };
  /** Fingerprint of the submission, to tell a retry (same body) from a conflict (other body). */
  submission_hash: string;
  /**
   * Who the run's Azure calls are made as (a fingerprint of tenant, client, subscription): the key of its ARM
   * budget, in clear so a step that must wait for budget reads no spec and decrypts nothing. Internal.
   */
  principal?: string;
  /** Optimistic-concurrency version, bumped on every write. */
  version: number;
}

/** What only the worker needs: sealed at rest, never returned. */
export interface RunSpec {
  subscription_id: string;
  resource_group_name: string;
  credentials: { client_id?: string | null; tenant_id?: string | null; client_secret?: string | null };
  deployment_name: string;
  container_group_name: string;
  /**
   * The ARM deployment body, rendered at submission. Written by earlier versions and for adopted runs
   * (null); a run submitted now carries `pool_revision` and its job variables instead, and the worker
   * renders the body when it sends it (src/execution/deployment-body.ts).
   */
  deployment_body?: unknown;
  /** The immutable copy of the work pool the run was checked against (WorkPoolStore.revision). */
  pool_revision?: string;
  /** The job variables as submitted: the deployment's, then the flow run's (they may carry secrets). */
  job_variables?: { deployment?: Record<string, unknown>; flow_run?: Record<string, unknown> };
  /** The container group's restart policy, as the template sets it (what judging a group reads of it). */
  restart_policy?: string;
}

export function transition(run: Run, state: RunState, reason: string, now = new Date(), by?: string): Run {
  const at = now.toISOString();
  return { ...run, state, updated_at: at, history: [...run.history, { state, at, reason, ...(by ? { by } : {}) }] };
}
