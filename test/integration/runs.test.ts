import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConnection, workerConnection } from '../../src/redis.js';
import { startWorker } from '../../src/runtime.js';
import { call } from '../helpers/emulator.js';
import { auth, getRun, RESOURCE_GROUP, settled, startService, submission, waitFor, type Harness } from '../helpers/service.js';

let h: Harness;
beforeAll(async () => {
  h = await startService();
});
afterAll(async () => h.close());

async function submit(body: object) {
  return h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
}

async function emulatorState() {
  return (await call(h.emulator, 'GET', '/_emulator/state')).body as { containerGroups: { name: string }[]; deployments: { name: string }[] };
}

describe('a flow run on ACI', () => {
  it('runs to COMPLETED with exit 0, keeps the last log line, and cleans up', async () => {
    const body = submission({ command: 'sh -c "echo first; sleep 20; echo last line; exit 0"' });
    const res = await submit(body);
    expect(res.statusCode).toBe(202);
    const accepted = res.json();
    const group = `nightly-etl-${body.flow_run.id}`;
    expect(accepted).toMatchObject({
      id: body.flow_run.id,
      state: 'PENDING',
      infrastructure_pid: `${body.flow_run.id}:${group}`,
      links: { self: `/runs/${body.flow_run.id}` },
    });

    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    expect(run.result).toEqual({ identifier: `${body.flow_run.id}:${group}`, status_code: 0 });
    expect(run.history.map((t: { state: string }) => t.state)).toEqual(['PENDING', 'SUBMITTING', 'PROVISIONING', 'RUNNING', 'COMPLETED']);
    expect(run.cleanup.state).toBe('done');
    const logs = (await h.app.inject({ url: `/runs/${body.flow_run.id}/logs`, headers: auth })).json();
    expect(logs.lines.map((l: { line: string }) => l.line)).toEqual(['first', 'last line']);

    const state = await emulatorState();
    expect(state.containerGroups.map((g) => g.name)).not.toContain(group);
    expect(state.deployments.map((d) => d.name)).not.toContain(`prefect-${group}`);
  });

  it('ends FAILED with the exit code for exit 3', async () => {
    const body = submission({ command: 'sh -c "echo boom; exit 3"' });
    await submit(body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('FAILED');
    expect(run.result.status_code).toBe(3);
    expect(run.history.at(-1).reason).toContain('exited with code 3');
  });

  it('crashes with Azure’s own error for an inaccessible image', async () => {
    const body = submission({ image: 'registry.example/inaccessible:1' });
    await submit(body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('CRASHED');
    expect(run.azure.error_code).toBe('InaccessibleImage');
    expect(run.azure.error_message).toContain('registry.example/inaccessible:1');
    expect(run.result.status_code).toBe(-1);
  });

  it('crashes with ContainerGroupQuotaReached when the regional quota stays used up past the start deadline', async () => {
    const full = await startService({ emulator: { settings: { containerGroupQuota: 0 } } });
    try {
      const body = submission({ task_start_timeout_seconds: 1 });
      await full.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
      const run = await settled(full, body.flow_run.id);
      expect(run.state).toBe('CRASHED');
      expect(run.azure.error_code).toBe('ContainerGroupQuotaReached');
      expect(run.azure.error_message).toContain("quota 'StandardContainerGroups' exceeded");
    } finally {
      await full.close();
    }
  });

  it('redeploys when ACI throttles creates, instead of failing the run', async () => {
    const throttled = await startService({ emulator: { settings: { createsPer5Minutes: 1 } } });
    try {
      const first = submission({ command: 'sh -c "echo first"' });
      await throttled.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: first });
      expect((await settled(throttled, first.flow_run.id)).state).toBe('COMPLETED');
      const second = submission({ command: 'sh -c "echo second"' });
      const pid = (await throttled.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: second })).json().infrastructure_pid;
      const waiting = await waitFor(
        () => getRun(throttled, second.flow_run.id),
        (r) => (r.azure.last_transient_error ?? '').includes('ResourceRequestsThrottled'),
      );
      expect(waiting.state).toBe('PROVISIONING');
      await throttled.app.inject({ method: 'DELETE', url: `/runs/${pid}`, headers: auth });
      expect((await settled(throttled, second.flow_run.id)).state).toBe('CANCELLED');
    } finally {
      await throttled.close();
    }
  });

  it('crashes on the provisioning timeout, cancels the deployment and leaves no group', async () => {
    // The pull takes 3 emulated seconds (30 ms); a 0 s timeout... is "wait forever", so use a slow emulator instead.
    const slow = await startService({ emulator: { timeScale: 1 } });
    try {
      const body = submission({ task_start_timeout_seconds: 1, task_watch_poll_interval: 0.2 });
      await slow.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
      const run = await settled(slow, body.flow_run.id, 30_000);
      expect(run.state).toBe('CRASHED');
      expect(run.azure.error_code).toBe('ProvisioningTimeout');
      expect(run.history.at(-1).reason).toMatch(/Timed out after 1s/);
      const state = (await call(slow.emulator, 'GET', '/_emulator/state')).body;
      expect(state.containerGroups).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  it('crashes with status −1 when the group vanishes while running', async () => {
    const body = submission({ command: 'sh -c "sleep 100000"' });
    await submit(body);
    const group = `nightly-etl-${body.flow_run.id}`;
    await waitFor(() => getRun(h, body.flow_run.id), (r) => r.state === 'RUNNING');
    const vanish = await call(h.emulator, 'POST', `/_emulator/container-groups/${h.config.defaultServicePrincipal ? '00000000-0000-0000-0000-000000000001' : ''}/${RESOURCE_GROUP}/${group}/vanish`);
    expect(vanish.status).toBe(204);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('CRASHED');
    expect(run.result.status_code).toBe(-1);
    expect(run.history.at(-1).reason).toContain('vanished');
  });

  it('stops instead of deleting with keep_container_group', async () => {
    const body = submission({ command: 'sh -c "echo kept"', keep_container_group: true });
    await submit(body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    expect(run.cleanup.state).toBe('kept');
    const state = await emulatorState();
    expect(state.containerGroups.map((g) => g.name)).toContain(`nightly-etl-${body.flow_run.id}`);
    // The record stays with the kept group, so the same flow run is never deployed over it again.
    expect(state.deployments.map((d) => d.name)).toContain(`prefect-nightly-etl-${body.flow_run.id}`);
  });

  it('answers a duplicate with the same run and deploys once; a different body is 409', async () => {
    const body = submission({ command: 'sh -c "echo once"' });
    await call(h.emulator, 'POST', '/_emulator/counters/reset');
    expect((await submit(body)).statusCode).toBe(202);
    const again = await submit(body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(body.flow_run.id);
    // The same body with its keys in another order, at the top and inside: the same submission.
    const reversed = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).reverse()) as T;
    const reordered = { ...reversed({ ...body, job_variables: reversed(body.job_variables), flow_run: reversed(body.flow_run) }) };
    expect(Object.keys(reordered)).not.toEqual(Object.keys(body));
    expect((await submit(reordered)).statusCode).toBe(200);
    const conflict = await submit({ ...body, job_variables: { ...body.job_variables, cpu: 2 } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('RUN_CONFLICT');
    await settled(h, body.flow_run.id);
    const counters = (await call(h.emulator, 'GET', '/_emulator/counters')).body;
    expect(counters.operations.Deployments_CreateOrUpdate).toBe(1);
  });

  it('refuses invalid job variables before storing anything', async () => {
    const body = submission({ cpu: 'many' });
    const res = await submit(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ path: '/job_variables/cpu', message: 'must be number' }]);
    expect((await h.app.inject({ url: `/runs/${body.flow_run.id}`, headers: auth })).statusCode).toBe(404);
  });

  it('exposes runs, requests, steps, ARM calls and the queue at /metrics', async () => {
    const res = await h.app.inject({ url: '/metrics', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const value = (pattern: RegExp) => Number(new RegExp(`^${pattern.source} (\\d+(?:\\.\\d+)?)$`, 'm').exec(res.body)?.[1] ?? NaN);
    expect(value(/aci_flow_runner_run_transitions_total\{state="COMPLETED"\}/)).toBeGreaterThan(0);
    expect(value(/aci_flow_runner_http_request_duration_seconds_count\{method="POST",route="\/runs",status_code="202"\}/)).toBeGreaterThan(0);
    expect(value(/aci_flow_runner_step_duration_seconds_count\{step="submit",outcome="ok"\}/)).toBeGreaterThan(0);
    expect(value(/aci_flow_runner_arm_request_duration_seconds_count\{operation="PUT deployments",outcome="ok"\}/)).toBeGreaterThan(0);
    expect(value(/aci_flow_runner_arm_request_duration_seconds_count\{operation="GET containerGroups",outcome="ok"\}/)).toBeGreaterThan(0);
    expect(value(/aci_flow_runner_redis_up/)).toBe(1);
    expect(value(/aci_flow_runner_unfinished_runs/)).toBeGreaterThanOrEqual(0);
    expect(res.body).toMatch(/^aci_flow_runner_queue_jobs\{state="delayed"\} \d+$/m);
    expect(value(/process_resident_memory_bytes/)).toBeGreaterThan(0);
    expect((await h.app.inject({ url: '/metrics' })).statusCode).toBe(401);
  });

  it('lists runs with filters and cursor pagination', async () => {
    const first = await h.app.inject({ url: '/runs?limit=2', headers: auth });
    expect(first.statusCode).toBe(200);
    expect(first.json().items).toHaveLength(2);
    const next = await h.app.inject({ url: `/runs?limit=2&cursor=${first.json().next_cursor}`, headers: auth });
    const ids = [...first.json().items, ...next.json().items].map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(4);
    const failed = (await h.app.inject({ url: '/runs?state=FAILED', headers: auth })).json();
    expect(failed.items.length).toBeGreaterThan(0);
    expect(failed.items.every((r: { state: string }) => r.state === 'FAILED')).toBe(true);
  });
});

describe('kill', () => {
  it('answers 400 for a malformed pid and 404 for an unknown group', async () => {
    const bad = await h.app.inject({ method: 'DELETE', url: '/runs/no-colon-here', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_INFRASTRUCTURE_PID');
    const unknown = await h.app.inject({ method: 'DELETE', url: `/runs/${crypto.randomUUID()}:some-group`, headers: auth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('INFRASTRUCTURE_NOT_FOUND');
  });

  async function killAndSettle(harness: Harness, body: ReturnType<typeof submission>, pid: string) {
    const kill = await harness.app.inject({ method: 'DELETE', url: `/runs/${pid}`, headers: auth });
    expect(kill.statusCode).toBe(202);
    expect(kill.json().state).toBe('CANCELLING');
    const run = await settled(harness, body.flow_run.id);
    expect(run.state).toBe('CANCELLED');
    expect(run.history.map((t: { state: string }) => t.state).slice(-2)).toEqual(['CANCELLING', 'CANCELLED']);
    const state = (await call(harness.emulator, 'GET', '/_emulator/state')).body;
    expect(state.containerGroups.map((g: { name: string }) => g.name)).not.toContain(`nightly-etl-${body.flow_run.id}`);
    const again = await harness.app.inject({ method: 'DELETE', url: `/runs/${pid}`, headers: auth });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('RUN_ALREADY_FINISHED');
    return run;
  }

  it('cancels a RUNNING run and deletes its group', async () => {
    const body = submission({ command: 'sh -c "sleep 100000"' });
    const pid = (await submit(body)).json().infrastructure_pid;
    await waitFor(() => getRun(h, body.flow_run.id), (r) => r.state === 'RUNNING');
    await killAndSettle(h, body, pid);
  });

  it('cancels a PROVISIONING run: its deployment is cancelled and no group is left', async () => {
    const slow = await startService({ emulator: { timeScale: 1 } });
    try {
      const body = submission({ command: 'sh -c "sleep 100000"', task_watch_poll_interval: 0.2 });
      const pid = (await slow.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body })).json().infrastructure_pid;
      await waitFor(() => getRun(slow, body.flow_run.id), (r) => r.state === 'PROVISIONING');
      await killAndSettle(slow, body, pid);
      const state = (await call(slow.emulator, 'GET', '/_emulator/state')).body;
      expect(state.deployments).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  it('cancels a queued run: nothing is ever deployed', async () => {
    const idle = await startService({ worker: false });
    try {
      const body = submission({ command: 'sh -c "sleep 100000"' });
      const res = await idle.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
      expect(res.json().state).toBe('PENDING');
      const connection = workerConnection(idle.config.redisUrl);
      const worker = startWorker(idle.config, idle.services, connection, pino({ level: 'silent' }));
      try {
        await killAndSettle(idle, body, res.json().infrastructure_pid);
      } finally {
        await worker.close();
        await closeConnection(connection);
      }
      const counters = (await call(idle.emulator, 'GET', '/_emulator/counters')).body;
      expect(counters.operations.Deployments_CreateOrUpdate ?? 0).toBe(0);
    } finally {
      await idle.close();
    }
  });
});

describe('work pool concurrency limit', () => {
  it('holds runs PENDING while the pool is full and starts them as slots free', async () => {
    const pool = (await h.app.inject({ url: '/work-pools/default', headers: auth })).json();
    await h.app.inject({
      method: 'PUT',
      url: '/work-pools/one-at-a-time',
      headers: auth,
      payload: { base_job_template: pool.base_job_template, concurrency_limit: 1 },
    });
    const first = { ...submission({ command: 'sh -c "sleep 100000"' }), work_pool: 'one-at-a-time' };
    const second = { ...submission({ command: 'sh -c "echo second"' }), work_pool: 'one-at-a-time' };
    const firstPid = (await submit(first)).json().infrastructure_pid;
    await waitFor(() => getRun(h, first.flow_run.id), (r) => r.state === 'RUNNING');
    await submit(second);
    const waiting = await waitFor(() => getRun(h, second.flow_run.id), (r) => r.pending_reason !== undefined);
    expect(waiting.state).toBe('PENDING');
    expect(waiting.pending_reason).toContain('concurrency limit (1)');
    await h.app.inject({ method: 'DELETE', url: `/runs/${firstPid}`, headers: auth });
    const done = await settled(h, second.flow_run.id);
    expect(done.state).toBe('COMPLETED');
    expect(done.pending_reason).toBeUndefined();
  });
});

describe('the orphan sweeper', () => {
  it('deletes groups of finished runs, adopts groups of unknown runs, and touches nothing else', async () => {
    const done = submission({ command: 'sh -c "echo done"' });
    await submit(done);
    await settled(h, done.flow_run.id);
    const groupsPath = `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ContainerInstance/containerGroups`;
    const body = (tags: Record<string, string>) => ({
      location: 'eastus',
      tags,
      properties: { osType: 'Linux', containers: [{ name: 'c', properties: { image: 'busybox', command: ['sh', '-c', 'sleep 100000'], resources: { requests: { cpu: 1, memoryInGB: 1 } } } }] },
    });
    const ours = { 'aci-flow-runner.instance': h.config.serviceInstance };
    const unknownRun = crypto.randomUUID();
    await call(h.emulator, 'PUT', `${groupsPath}/orphan-unknown-run`, body({ ...ours, 'aci-flow-runner.flow-run-id': unknownRun }));
    await call(h.emulator, 'PUT', `${groupsPath}/orphan-finished-run`, body({ ...ours, 'aci-flow-runner.flow-run-id': done.flow_run.id }));
    await call(h.emulator, 'PUT', `${groupsPath}/someone-elses`, body({ team: 'data' }));
    // Another installation's group in the same resource group: its run is unknown here, and not ours.
    await call(h.emulator, 'PUT', `${groupsPath}/other-installation`, body({ 'aci-flow-runner.instance': 'aci-flow-runner-0000other', 'aci-flow-runner.flow-run-id': crypto.randomUUID() }));
    const live = submission({ command: 'sh -c "sleep 100000"' });
    const pid = (await submit(live)).json().infrastructure_pid;
    await waitFor(() => getRun(h, live.flow_run.id), (r) => r.state === 'RUNNING');

    const swept = await h.worker!.sweep();
    expect(swept.deleted).toEqual(['orphan-finished-run']);
    expect(swept.adopted).toEqual(['orphan-unknown-run']);
    const names = (await emulatorState()).containerGroups.map((g) => g.name);
    expect(names).toContain('someone-elses');
    expect(names).toContain('other-installation');
    expect(names).toContain('orphan-unknown-run');
    expect(names).toContain(`nightly-etl-${live.flow_run.id}`);
    // The adopted group's run is rebuilt from its tags and followed like any other.
    const adopted = await waitFor(() => getRun(h, unknownRun), (r) => r.state === 'RUNNING' && r.azure.container_state === 'Running');
    expect(adopted.container_group_name).toBe('orphan-unknown-run');
    await h.app.inject({ method: 'DELETE', url: `/runs/${adopted.infrastructure_pid}`, headers: auth });
    expect((await settled(h, unknownRun)).state).toBe('CANCELLED');
    await h.app.inject({ method: 'DELETE', url: `/runs/${pid}`, headers: auth });
    await settled(h, live.flow_run.id);
    const after = (await emulatorState()).containerGroups.map((g) => g.name);
    expect(after).not.toContain('orphan-unknown-run');
    expect(after).toContain('someone-elses');
  });
});
