// The ARM deployment body a run sends. The API checks a submission and stores it with the id of the
// immutable work-pool revision it was checked against; the worker renders the body from those when
// it sends it, so the create path writes only what the client sent. Runs stored by earlier versions
// carry the rendered body itself.
import type { Config } from '../config.js';
import type { Run, RunSpec } from '../runs/model.js';
import { renderStoredRun } from '../runs/render.js';
import type { WorkPoolService } from '../work-pools/service.js';

/** The run cannot be rendered (its pool revision is gone, or it no longer renders): it ends CRASHED. */
export class UnrenderableRun extends Error {}

export class DeploymentRenderer {
  constructor(
    private readonly pools: WorkPoolService,
    private readonly config: Config,
  ) {}

  async body(run: Run, spec: RunSpec): Promise<unknown> {
    if (spec.deployment_body !== undefined && spec.deployment_body !== null) return spec.deployment_body;
    if (!spec.pool_revision) throw new UnrenderableRun('the run carries neither a deployment body nor a work-pool revision to render one from.');
    const pool = await this.pools.atRevision(spec.pool_revision);
    if (!pool) throw new UnrenderableRun(`the revision of work pool "${run.work_pool}" it was submitted with (${spec.pool_revision}) is missing from Redis.`);
    try {
      return renderStoredRun(run, spec, pool, this.config).deployment;
    } catch (err) {
      throw new UnrenderableRun(`rendering it with its work pool failed: ${(err as Error).message}`);
    }
  }
}
