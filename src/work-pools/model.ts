import type { BaseJobTemplate } from '../templating/render.js';

export interface WorkPool {
  name: string;
  description: string | null;
  /** Most runs of this pool active at once; null for no limit. */
  concurrency_limit: number | null;
  /** On ContainerGroupQuotaReached: wait for capacity until the start deadline, or fail at once. */
  on_quota?: 'wait' | 'fail';
  base_job_template: BaseJobTemplate;
  /** Environment variable names sent to ACI as secureValue, beyond PREFECT_API_KEY and PREFECT_API_AUTH_STRING. */
  secret_env_names: string[];
  created: string;
  updated: string;
  /** Who created and replaced the pool (short API key ids), oldest first, the last 50. */
  history?: { at: string; action: 'created' | 'replaced'; by: string }[];
}

export const DEFAULT_POOL = 'default';
