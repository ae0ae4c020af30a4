// Adoption: a container group of ours (our instance tag) whose run Redis does not know — Redis was
// lost or restored from an old copy — gets its run rebuilt from the group's tags and is followed to
// its end like any other run. Killing a healthy flow run would be worse than following it.
import { isTerminal, type Run, type RunSpec } from '../runs/model.js';
import type { Scope, Tombstone } from '../runs/store.js';
import { deploymentName, infrastructurePid } from '../templating/naming.js';
import { OWNER_TAGS } from '../templating/prepare.js';

/** Polling used for an adopted run: its submission (and its task_watch_poll_interval) is lost. */
const ADOPTED_POLL_SECONDS = 10;

export function adoptedRun(group: { name: string; tags: Record<string, string> }, scope: Scope, principal: string, now = new Date()): { run: Run; spec: RunSpec } {
  const id = group.tags[OWNER_TAGS.flowRunId].toLowerCase();
  const at = now.toISOString();
  const reason = 'Adopted: Azure runs a container group of this service for a flow run Redis did not know; followed to its end.';
  const run: Run = {
    id,
    work_pool: group.tags['prefect.io/work-pool-name'] ?? 'default',
    state: 'RUNNING',
    history: [{ state: 'RUNNING', at, reason }],
    infrastructure_pid: infrastructurePid(id, group.name),
    container_group_name: group.name,
    deployment_name: deploymentName(group.name),
    resource_group_name: scope.resource_group_name,
    flow_run: { id, ...(group.tags['prefect.io/flow-run-name'] ? { name: group.tags['prefect.io/flow-run-name'] } : {}) },
    ...(group.tags['prefect.io/flow-name'] ? { flow: { name: group.tags['prefect.io/flow-name'] } } : {}),
    // The pool's limit at submission is unknown; an adopted run takes no slot.
    concurrency_limit: null,
    keep_container_group: false,
    stream_output: false,
    poll_interval_seconds: ADOPTED_POLL_SECONDS,
    start_timeout_seconds: 0,
    submitted_at: at,
    updated_at: at,
    azure: {},
    log_lines: 0,
    // No submission body to compare with: a later POST with this id is answered with this run (409).
    submission_hash: 'adopted',
    principal,
    version: 0,
  };
  const spec: RunSpec = {
    subscription_id: scope.subscription_id,
    resource_group_name: scope.resource_group_name,
    credentials: scope.credentials,
    deployment_name: run.deployment_name,
    container_group_name: group.name,
    deployment_body: null,
  };
  return { run, spec };
}

/** What the sweeper does with a group of ours, from its run (or the tombstone of a run past its retention). */
export function fateOf(run: Run | undefined, tombstone?: Tombstone): 'adopt' | 'delete' | 'keep' {
  if (!run && tombstone) return tombstone.cleanup === 'kept' ? 'keep' : 'delete';
  if (!run) return 'adopt';
  // A final run whose cleanup is over (not kept on purpose) should have no group left.
  return isTerminal(run.state) && run.cleanup?.state === 'done' ? 'delete' : 'keep';
}
