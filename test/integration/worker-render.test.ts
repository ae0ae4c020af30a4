// The API checks a submission and stores it with the work-pool revision it was checked against; the
// worker renders the deployment body from those when it sends it (src/execution/deployment-body.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConnection, workerConnection } from '../../src/redis.js';
import { defaultBaseJobTemplate } from '../../src/templating/base-job-template.js';
import { auth, settled, startService, submission, withWorker, type Harness } from '../helpers/service.js';

let h: Harness;

const poolWithImage = (image: string) => {
  const template = defaultBaseJobTemplate() as unknown as { variables: { properties: Record<string, Record<string, unknown>> } };
  template.variables.properties.image = { ...template.variables.properties.image, default: image };
  return { base_job_template: template };
};

/** A body for `pool` that leaves the image to the pool's default; the group is kept, to be looked at. */
function bodyFor(pool: string) {
  const body = submission({ keep_container_group: true });
  const { image: _image, ...jobVariables } = body.job_variables;
  return { ...body, work_pool: pool, job_variables: jobVariables };
}

const imagesOf = (h: Harness, flowRunId: string) =>
  h.emulator.world.store
    .groups()
    .filter((g) => g.tags['aci-flow-runner.flow-run-id'] === flowRunId)
    .map((g) => ((g.properties.containers as { properties: { image: string } }[])[0]).properties.image);

beforeAll(async () => {
  h = await startService({ worker: false });
});

afterAll(async () => {
  await h?.close();
});

describe('deployment bodies rendered by the worker', () => {
  it('stores no deployment body, and deploys the run with the pool as it was when the run was submitted', async () => {
    expect((await h.app.inject({ method: 'PUT', url: '/work-pools/revisions', headers: auth, payload: poolWithImage('example/one:1') })).statusCode).toBe(201);
    const body = bodyFor('revisions');
    expect((await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body })).statusCode).toBe(202);

    const spec = await h.services.store.spec(body.flow_run.id);
    expect(spec?.deployment_body).toBeUndefined();
    expect(spec?.pool_revision).toMatch(/^[0-9a-f]{32}$/);
    expect(spec?.job_variables?.flow_run).toEqual(body.job_variables);

    // The pool changes before any worker takes the run: the run keeps the pool it was checked against.
    expect((await h.app.inject({ method: 'PUT', url: '/work-pools/revisions', headers: auth, payload: poolWithImage('example/two:2') })).statusCode).toBe(200);
    const later = bodyFor('revisions');
    expect((await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: later })).statusCode).toBe(202);
    expect((await h.services.store.spec(later.flow_run.id))?.pool_revision).not.toBe(spec?.pool_revision);

    await withWorker(h, async () => {
      expect((await settled(h, body.flow_run.id)).state).toBe('COMPLETED');
      expect((await settled(h, later.flow_run.id)).state).toBe('COMPLETED');
    });
    expect(imagesOf(h, body.flow_run.id)).toEqual(['example/one:1']);
    expect(imagesOf(h, later.flow_run.id)).toEqual(['example/two:2']);
  });

  it('ends a run CRASHED, with the reason, when the pool revision it was submitted with is gone', async () => {
    const body = bodyFor('default');
    expect((await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body })).statusCode).toBe(202);
    const spec = await h.services.store.spec(body.flow_run.id);
    const redis = workerConnection(h.config.redisUrl, h.config.redisClusterNodes);
    try {
      await redis.hdel(h.services.store.keys.workPoolRevisions, spec!.pool_revision!);
    } finally {
      await closeConnection(redis);
    }
    await withWorker(h, async () => {
      const run = await settled(h, body.flow_run.id);
      expect(run.state).toBe('CRASHED');
      expect(run.azure.error_code).toBe('RunNotRenderable');
      expect(run.history.at(-1).reason).toContain(spec!.pool_revision);
      expect(imagesOf(h, body.flow_run.id)).toEqual([]);
    });
  });
});
