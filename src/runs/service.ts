// The Run's use cases: preview (render only); submission, status, kill and logs build on it.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { DEFAULT_POOL } from '../work-pools/model.js';
import type { WorkPoolService } from '../work-pools/service.js';
import { maskPreparedRun, renderSubmission, type Submission, type SubmissionInput } from './render.js';

export function settleFlowRunId(input: SubmissionInput): Submission {
  return { ...input, flow_run: { ...input.flow_run, id: (input.flow_run.id ?? randomUUID()).toLowerCase() } };
}

export class RunService {
  constructor(
    private readonly config: Config,
    private readonly workPools: WorkPoolService,
  ) {}

  async preview(input: SubmissionInput) {
    const submission = settleFlowRunId(input);
    const pool = await this.workPools.find(submission.work_pool ?? DEFAULT_POOL);
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
}
