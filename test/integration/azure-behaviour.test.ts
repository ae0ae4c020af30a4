// Azure as it really behaves (issue 10): one test per surprise, each driven through the emulator's
// control endpoint, checking the run's final state, code and reason, and what is left in Azure.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { enqueueRun } from '../../src/execution/queue.js';
import { closeConnection, workerConnection } from '../../src/redis.js';
import { startWorker } from '../../src/runtime.js';
import { transition } from '../../src/runs/model.js';
import { call, SUBSCRIPTION } from '../helpers/emulator.js';
import { auth, getRun, RESOURCE_GROUP, settled, startService, submission, TERMINAL, waitFor, type Harness } from '../helpers/service.js';

let h: Harness;
beforeAll(async () => {
  h = await startService();
});
afterAll(async () => h.close());
afterEach(async () => {
  await call(h.emulator, 'DELETE', '/_emulator/faults');
});

const groupOf = (id: string) => `nightly-etl-${id}`;
const fault = (target: Harness, rule: Record<string, unknown>) => call(target.emulator, 'POST', '/_emulator/faults', rule);
const post = (target: Harness, body: object) => target.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
const counters = async (target: Harness) => (await call(target.emulator, 'GET', '/_emulator/counters')).body;
async function azureState(target: Harness) {
  return (await call(target.emulator, 'GET', '/_emulator/state')).body as { containerGroups: { name: string }[]; deployments: { name: string; state: string }[] };
}
const lastReason = (run: { history: { reason: string }[] }) => run.history.at(-1)!.reason;
/** A sample's value in the service's /metrics (0 when absent). */
async function metric(target: Harness, sample: string): Promise<number> {
  const text = (await target.app.inject({ url: '/metrics', headers: auth })).body;
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}
const KEPT_RUNNING = 'aci_flow_runner_credential_failures_total{code="AADSTS7000215",outcome="kept_running"}';
const CRASHED_215 = 'aci_flow_runner_credential_failures_total{code="AADSTS7000215",outcome="crashed"}';
const CRASHED_222 = 'aci_flow_runner_credential_failures_total{code="AADSTS7000222",outcome="crashed"}';
const REFUSED_GAUGE = 'aci_flow_runner_runs_with_refused_credential';

describe('1. Azure restarts a container that exited under restartPolicy Never', () => {
  it('ends with the first exit code, says Azure restarted it, and stops the group at once', async () => {
    // The watch polls every 50 emulated seconds, so it sees the restarted container, not the exit.
    await fault(h, { kind: 'restart-after-exit', share: 1, afterSeconds: 1, exitCode: 0, runSeconds: 100000 });
    await call(h.emulator, 'POST', '/_emulator/counters/reset');
    const body = submission({ command: 'sh -c "echo run; sleep 5; exit 3"', task_watch_poll_interval: 0.5 });
    await post(h, body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('FAILED');
    expect(run.result.status_code).toBe(3);
    expect(run.azure.restart_count).toBeGreaterThanOrEqual(1);
    expect(lastReason(run)).toMatch(/exited with code 3; Azure then restarted it/);
    expect((await counters(h)).operations.ContainerGroups_Stop).toBeGreaterThanOrEqual(1);
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });
});

describe('2. a deployment is never sent again while its container group exists', () => {
  it('a repeated submit step follows a group whose deployment record is missing instead of deploying over it', async () => {
    const body = submission({ command: 'sh -c "echo already; sleep 5; exit 0"' });
    const group = groupOf(body.flow_run.id);
    // The group exists (a worker died after ARM created it, and the record was since removed).
    const created = await call(h.emulator, 'PUT', `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ContainerInstance/containerGroups/${group}`, {
      location: 'eastus',
      properties: {
        osType: 'Linux',
        restartPolicy: 'Never',
        containers: [{ name: 'flow', properties: { image: 'python:3.12-slim', command: ['sh', '-c', 'echo already; sleep 5; exit 0'], resources: { requests: { cpu: 1, memoryInGB: 1 } } } }],
      },
    });
    expect(created.status).toBe(201);
    await call(h.emulator, 'POST', '/_emulator/counters/reset');
    // The first PUT is refused (so the submit step runs again, not knowing whether it went out).
    await fault(h, { kind: 'throttle', share: 1, limit: 1, operation: 'Deployments_CreateOrUpdate', retryAfterSeconds: 0 });
    await post(h, body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    expect(run.history.map((t: { reason: string }) => t.reason).join(' ')).toContain('already exists; following it');
    expect((await counters(h)).operations.Deployments_CreateOrUpdate).toBe(1); // the refused one only
    expect((await azureState(h)).deployments.map((d) => d.name)).not.toContain(run.deployment_name);
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(group);
  });
});

describe('2. with Redis restored from a snapshot and the deployment record deleted by ARM', () => {
  // The group exists (ARM created it; its deployment record later went with the history limit), but
  // Redis came back without the run's "PUT may have gone out" mark. Sending the deployment again would
  // restart the running group: the repeated step must find the group and follow it.
  async function groupAlreadyThere(target: Harness, id: string) {
    const created = await call(target.emulator, 'PUT', `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ContainerInstance/containerGroups/${groupOf(id)}`, {
      location: 'eastus',
      properties: {
        osType: 'Linux',
        restartPolicy: 'Never',
        containers: [{ name: 'flow', properties: { image: 'python:3.12-slim', command: ['sh', '-c', 'echo first; sleep 5; exit 0'], resources: { requests: { cpu: 1, memoryInGB: 1 } } } }],
      },
    });
    expect(created.status).toBe(201);
  }

  it.each([
    ['the job shows the stall (BullMQ), the run is back to PENDING', 'stalled'],
    ['the run is SUBMITTING without the mark', 'submitting'],
  ])('%s: the group is followed, the deployment never sent', async (_, lost) => {
    const target = await startService({ worker: false });
    let worker: ReturnType<typeof startWorker> | undefined;
    const connection = workerConnection(target.config.redisUrl, target.config.redisClusterNodes);
    try {
      const body = submission({ command: 'sh -c "echo first; sleep 5; exit 0"' });
      await groupAlreadyThere(target, body.flow_run.id);
      expect((await post(target, body)).statusCode).toBe(202);
      if (lost === 'stalled') {
        const queue = target.services.queue.forRun(body.flow_run.id);
        // The job as a worker's intake adds it (no worker runs yet; the intake finds it there later).
        await enqueueRun(target.services.queue, body.flow_run.id);
        expect(await queue.getJob(body.flow_run.id)).toBeDefined();
        // What BullMQ records when a worker dies mid-step and its lock expires.
        await connection.hincrby(queue.toKey(body.flow_run.id), 'stc', 1);
      } else {
        await target.services.store.update(body.flow_run.id, (run) => transition(run, 'SUBMITTING', 'A worker took the run.'));
      }
      await call(target.emulator, 'POST', '/_emulator/counters/reset');
      worker = startWorker(target.config, target.services, connection, pino({ level: 'silent' }));
      const run = await settled(target, body.flow_run.id);
      expect(run.state).toBe('COMPLETED');
      expect(run.history.map((t: { reason: string }) => t.reason).join(' ')).toContain('already exists; following it');
      const ops = (await counters(target)).operations;
      expect(ops.Deployments_CreateOrUpdate ?? 0).toBe(0);
      expect(ops.ContainerGroups_Get).toBeGreaterThanOrEqual(1);
      expect((await azureState(target)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
    } finally {
      await worker?.close();
      await target.close();
      await closeConnection(connection);
    }
  });
});

describe('3. credential errors are final', () => {
  // Tokens of 1 s: the SDK's pipeline refreshes a token within 1 s of its expiry before the call (not in the
  // background), so every call asks Entra first, as a long run eventually does, and a refusal hits that call.
  let strict: Harness;
  beforeAll(async () => {
    strict = await startService({ emulator: { settings: { tokenLifetimeSeconds: 1 } }, env: { CREDENTIAL_FAILURE_GRACE_SECONDS: '1.5' } });
  });
  afterAll(async () => strict.close());
  afterEach(async () => {
    await call(strict.emulator, 'DELETE', '/_emulator/faults');
  });

  /**
   * A principal of its own, registered with the emulator's Entra: no token of it is cached anywhere (the
   * harness's worker keeps refreshing the default principal's tokens in the background, and a refusal
   * could land on such a refresh instead of the run's own call).
   */
  async function freshPrincipal() {
    const principal = { tenant_id: 'test-tenant', client_id: `refused-${crypto.randomUUID().slice(0, 8)}`, client_secret: 'fresh-principal-secret' };
    const registered = await call(strict.emulator, 'PUT', '/_emulator/principals', { tenantId: principal.tenant_id, clientId: principal.client_id, clientSecret: principal.client_secret });
    expect(registered.status).toBe(204);
    return principal;
  }

  it('before the container runs: CRASHED at once with the AADSTS code, tenant and client id, never the secret', async () => {
    const crashedBefore = await metric(strict, CRASHED_222);
    const principal = await freshPrincipal();
    await fault(strict, { kind: 'credential', share: 1, clientId: principal.client_id, reason: 'expired' });
    const body = submission({ task_start_timeout_seconds: 60, aci_credentials: principal });
    await post(strict, body);
    const run = await settled(strict, body.flow_run.id, 30_000);
    expect(run.state).toBe('CRASHED');
    expect(run.azure.error_code).toBe('AADSTS7000222');
    expect(lastReason(run)).toContain(`client id ${principal.client_id} in tenant test-tenant`);
    expect(JSON.stringify(run)).not.toContain(principal.client_secret);
    expect(Date.parse(run.updated_at) - Date.parse(run.submitted_at)).toBeLessThan(60_000);
    expect((await azureState(strict)).deployments.map((d) => d.name)).not.toContain(run.deployment_name);
    expect(await metric(strict, CRASHED_222)).toBe(crashedBefore + 1);
  });

  it('a refused credential does not hold the pool slot: the next run of a one-slot pool goes on', async () => {
    const pool = (await strict.app.inject({ url: '/work-pools/default', headers: auth })).json();
    const put = await strict.app.inject({ method: 'PUT', url: '/work-pools/one-slot', headers: auth, payload: { base_job_template: pool.base_job_template, concurrency_limit: 1 } });
    expect(put.statusCode).toBe(201);
    const principal = await freshPrincipal();
    await fault(strict, { kind: 'credential', share: 1, clientId: principal.client_id, reason: 'wrong-secret' });
    const refused = { ...submission({ task_start_timeout_seconds: 60, aci_credentials: principal }), work_pool: 'one-slot' };
    await post(strict, refused);
    const crashed = await settled(strict, refused.flow_run.id, 30_000);
    expect(crashed.state).toBe('CRASHED');
    expect(crashed.azure.error_code).toBe('AADSTS7000215');
    await call(strict.emulator, 'DELETE', '/_emulator/faults');
    const next = { ...submission({ command: 'sh -c "echo next; exit 0"' }), work_pool: 'one-slot' };
    await post(strict, next);
    const run = await settled(strict, next.flow_run.id, 30_000);
    expect(run.state).toBe('COMPLETED');
    expect((await azureState(strict)).containerGroups.map((g) => g.name)).not.toContain(groupOf(next.flow_run.id));
  });

  it('no credential at all (AggregateAuthenticationError): CRASHED at once, saying none was found', async () => {
    const bare = await startService({ noPrincipal: true });
    try {
      const body = submission({ task_start_timeout_seconds: 60 });
      await post(bare, body);
      const run = await settled(bare, body.flow_run.id, 30_000);
      expect(run.state).toBe('CRASHED');
      expect(run.azure.error_code).toBe('CredentialUnavailable');
      expect(lastReason(run)).toMatch(/^No Azure credential is available \(the pool names no service principal/);
      expect(run.history.map((t: { state: string }) => t.state)).not.toContain('PROVISIONING');
      expect((await azureState(bare)).deployments).toEqual([]);
      expect((await azureState(bare)).containerGroups).toEqual([]);
    } finally {
      await bare.close();
    }
  });

  it('while it runs: the run goes on and shows the failure, then ends CRASHED after the grace', async () => {
    {
      const body = submission({ command: 'sh -c "sleep 100000"' });
      await post(strict, body);
      await waitFor(() => getRun(strict, body.flow_run.id), (r) => r.state === 'RUNNING');
      await fault(strict, { kind: 'credential', share: 1, clientId: 'flow-runner', reason: 'wrong-secret' });
      const refused = await waitFor(() => getRun(strict, body.flow_run.id), (r) => Boolean(r.azure.credential_failure_since));
      expect(refused.state).toBe('RUNNING');
      expect(refused.azure.credential_failure).toContain('AADSTS7000215');
      // Shown in the metrics while the run goes on: counted, and the run in the gauge.
      expect(await metric(strict, KEPT_RUNNING)).toBeGreaterThanOrEqual(1);
      expect(await metric(strict, REFUSED_GAUGE)).toBe(1);
      const crashedBefore = await metric(strict, CRASHED_215);
      const run = await waitFor(() => getRun(strict, body.flow_run.id), (r) => r.state === 'CRASHED');
      expect(run.azure.error_code).toBe('AADSTS7000215');
      expect(lastReason(run)).toContain('client id flow-runner in tenant test-tenant');
      expect(await metric(strict, CRASHED_215)).toBe(crashedBefore + 1);
      expect(await metric(strict, REFUSED_GAUGE)).toBe(0);
      // The credential is still refused, so cleanup cannot reach Azure: it gives up after its bound and
      // the group is left for the sweeper; the outcome does not change.
      const cleaned = await settled(strict, body.flow_run.id, 30_000);
      expect(cleaned.state).toBe('CRASHED');
      expect(cleaned.cleanup.state).toBe('failed');
      expect((await azureState(strict)).containerGroups.map((g) => g.name)).toContain(groupOf(body.flow_run.id));
      await call(strict.emulator, 'DELETE', '/_emulator/faults');
    }
  });
});

describe('4. the innermost cause reaches the run', () => {
  it.each([
    [{ kind: 'policy-deny', policyName: 'only-eu-regions' }, 'RequestDisallowedByPolicy', /only-eu-regions/],
    [{ kind: 'create-failure', at: 'validation', code: 'InaccessibleImage', message: "The image 'x' is not accessible." }, 'InaccessibleImage', /not accessible/],
  ])('%j gives %s', async (rule, code, message) => {
    await fault(h, { share: 1, limit: 1, ...rule });
    const body = submission();
    await post(h, body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('CRASHED');
    expect(run.azure.error_code).toBe(code);
    expect(run.azure.error_message).toMatch(message);
    expect(lastReason(run)).toContain(code);
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });
});

describe('5. conditions that clear by themselves are retried until the start deadline', () => {
  it('a registry error: the Failed group is deleted and the deployment sent again', async () => {
    await fault(h, { kind: 'create-failure', share: 1, limit: 1, at: 'deployment', code: 'RegistryErrorResponse', message: 'An error response is received from the docker registry. Please retry later.' });
    await call(h.emulator, 'POST', '/_emulator/counters/reset');
    const body = submission({ command: 'sh -c "echo pulled; exit 0"' });
    await post(h, body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    const ops = (await counters(h)).operations;
    expect(ops.Deployments_CreateOrUpdate).toBe(2);
    expect(ops.ContainerGroups_Delete).toBeGreaterThanOrEqual(2); // the Failed group, then cleanup
    expect(run.azure.last_transient_error).toMatch(/RegistryErrorResponse/);
    expect(lastReason(run)).toBe('The container exited with code 0.');
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });

  it('a registry error that does not clear: CRASHED with Azure\'s code at the start deadline, nothing left', async () => {
    await fault(h, { kind: 'create-failure', share: 1, at: 'deployment', code: 'RegistryErrorResponse', message: 'An error response is received from the docker registry. Please retry later.' });
    await call(h.emulator, 'POST', '/_emulator/counters/reset');
    const body = submission({ task_start_timeout_seconds: 3 });
    await post(h, body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('CRASHED');
    expect(run.azure.error_code).toBe('RegistryErrorResponse');
    expect(lastReason(run)).toMatch(/RegistryErrorResponse/);
    expect((await counters(h)).operations.Deployments_CreateOrUpdate).toBeGreaterThanOrEqual(2);
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
    expect((await azureState(h)).deployments.map((d) => d.name)).not.toContain(run.deployment_name);
  });

  it('regional capacity that Azure recovers by itself: the recovered group is followed', async () => {
    await fault(h, { kind: 'create-failure', share: 1, limit: 1, at: 'deployment', code: 'ServiceUnavailable', message: "The requested resource is not available in the location 'eastus' at this moment.", recovers: true, recoverSeconds: 5 });
    await call(h.emulator, 'POST', '/_emulator/counters/reset');
    const body = submission({ command: 'sh -c "echo recovered; sleep 5; exit 0"' });
    await post(h, body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    expect((await counters(h)).operations.Deployments_CreateOrUpdate).toBe(1);
    expect(run.history.find((t: { state: string }) => t.state === 'RUNNING').reason).toMatch(/failed with ServiceUnavailable .*but Azure brought the container group up by itself/);
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });

  it('ContainerGroupQuotaReached waits for capacity by default; a pool with on_quota "fail" fails at once', async () => {
    const full = await startService({ emulator: { settings: { containerGroupQuota: 1 } } });
    try {
      const first = submission({ command: 'sh -c "sleep 200; exit 0"' });
      await post(full, first);
      await waitFor(() => getRun(full, first.flow_run.id), (r) => r.state === 'RUNNING');
      const second = submission({ command: 'sh -c "echo second"' });
      await post(full, second);
      const waiting = await waitFor(() => getRun(full, second.flow_run.id), (r) => (r.azure.last_transient_error ?? '').includes('ContainerGroupQuotaReached'));
      expect(['SUBMITTING', 'PROVISIONING']).toContain(waiting.state);
      expect((await settled(full, first.flow_run.id)).state).toBe('COMPLETED');
      expect((await settled(full, second.flow_run.id)).state).toBe('COMPLETED');

      const pool = (await full.app.inject({ url: '/work-pools/default', headers: auth })).json();
      const put = await full.app.inject({ method: 'PUT', url: '/work-pools/impatient', headers: auth, payload: { base_job_template: pool.base_job_template, on_quota: 'fail' } });
      expect(put.statusCode).toBe(201);
      const blocker = submission({ command: 'sh -c "sleep 200; exit 0"' });
      await post(full, blocker);
      await waitFor(() => getRun(full, blocker.flow_run.id), (r) => r.state === 'RUNNING');
      const impatient = { ...submission(), work_pool: 'impatient' };
      await post(full, impatient);
      const failed = await settled(full, impatient.flow_run.id);
      expect(failed.state).toBe('CRASHED');
      expect(failed.azure.error_code).toBe('ContainerGroupQuotaReached');
      expect((await settled(full, blocker.flow_run.id)).state).toBe('COMPLETED');
    } finally {
      await full.close();
    }
  });
});

describe('6. Failed, Unhealthy, Repairing groups have defined outcomes', () => {
  it.each([
    ['failed', 'ContainerGroupFailed', /failed after it had started.*could not be repaired/],
    ['running', undefined, /Azure restarted the container/],
  ])('a repair ending %s', async (outcome, code, reason) => {
    const body = submission({ command: 'sh -c "echo up; sleep 100000"' });
    await post(h, body);
    await waitFor(() => getRun(h, body.flow_run.id), (r) => r.state === 'RUNNING');
    // Phases long enough (0.5 s and 1 s real) for the watch to see them.
    expect((await fault(h, { kind: 'repair', group: groupOf(body.flow_run.id), outcome, unhealthySeconds: 50, repairingSeconds: 100 })).status).toBe(201);
    // While Azure repairs the group the run goes on, showing it.
    const repairing = await waitFor(() => getRun(h, body.flow_run.id), (r) => r.azure.provisioning_state === 'Repairing' || Boolean(r.outcome) || TERMINAL.includes(r.state));
    expect(repairing.state).toBe('RUNNING');
    expect(repairing.azure.provisioning_state).toBe('Repairing');
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('CRASHED');
    expect(run.result.status_code).toBe(-1);
    if (code) expect(run.azure.error_code).toBe(code);
    expect(lastReason(run)).toMatch(reason);
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });
});

describe('6. a container stuck Waiting', () => {
  it('ends CRASHED once it has waited longer than the start timeout, with Azure\'s events, and the group is removed', async () => {
    const body = submission({ image: 'registry.example/emulator/stuck-waiting:1', task_start_timeout_seconds: 2, task_watch_poll_interval: 0.1 });
    await post(h, body);
    const waiting = await waitFor(() => getRun(h, body.flow_run.id), (r) => Boolean(r.azure.waiting_since));
    expect(waiting.state).toBe('RUNNING');
    expect(waiting.azure.container_state).toBe('Waiting');
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('CRASHED');
    expect(run.result.status_code).toBe(-1);
    expect(run.azure.error_code).toBe('ContainerWaiting');
    expect(lastReason(run)).toMatch(/has been waiting \(CreateContainerError\) for more than 2s; the group was stopped\. Azure says: The container could not be started/);
    // It waited out the whole start timeout after it was first seen waiting, no less.
    expect(Date.parse(run.updated_at) - Date.parse(waiting.azure.waiting_since)).toBeGreaterThanOrEqual(2000);
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });
});

describe('3. the start timeout covers SUBMITTING', () => {
  it('a deployment that cannot be sent (every PUT refused with 503) ends CRASHED at the start timeout, never PROVISIONING', async () => {
    await fault(h, { kind: 'server-error', share: 1, status: 503, operation: 'Deployments_CreateOrUpdate' });
    await call(h.emulator, 'POST', '/_emulator/counters/reset');
    const body = submission({ task_start_timeout_seconds: 2 });
    await post(h, body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('CRASHED');
    expect(run.azure.error_code).toBe('ProvisioningTimeout');
    expect(lastReason(run)).toBe('Timed out after 2s waiting for the container group to start; the deployment could not be sent.');
    const states = run.history.map((t: { state: string }) => t.state);
    expect(states).toContain('SUBMITTING');
    expect(states).not.toContain('PROVISIONING');
    const submitted = Date.parse(run.history.find((t: { state: string; at: string }) => t.state === 'SUBMITTING').at);
    expect(Date.parse(run.updated_at) - submitted).toBeGreaterThanOrEqual(2000);
    // It was retried while the deadline allowed, and nothing reached Azure.
    expect((await counters(h)).operations.Deployments_CreateOrUpdate).toBeGreaterThanOrEqual(2);
    expect((await azureState(h)).deployments.map((d) => d.name)).not.toContain(run.deployment_name);
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });
});

describe('7. Azure keeps 16 KB / 1,000 lines of an exited container', () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `echo line-${i}`).join('; ');

  it('without stream_output the final read is all there is: logs_truncated', async () => {
    const body = submission({ command: `sh -c "${lines(1200)}; exit 0"` });
    await post(h, body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    expect(run.logs_truncated).toBe(true);
    expect(run.log_lines).toBe(1000);
    expect(lastReason(run)).toBe('The container exited with code 0.');
    const logs = (await h.app.inject({ url: `/runs/${body.flow_run.id}/logs`, headers: auth })).json();
    expect(logs.lines[0].line).toBe('line-200'); // the newest 1,000 lines are what Azure kept
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });

  it('with stream_output a burst of more than 1,000 lines between polls is read whole', async () => {
    // The container goes on for 4 s after the burst (400 s at the emulator's ×0.01), so that a watch poll reads it
    // running even on a loaded machine: once it has exited, Azure keeps only 1,000 lines.
    const body = submission({ command: `sh -c "${lines(1500)}; sleep 400; exit 0"`, stream_output: true, task_watch_poll_interval: 0.1 });
    await post(h, body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    expect(run.log_lines).toBe(1500);
    expect(run.logs_truncated).toBeUndefined();
    const logs = (await h.app.inject({ url: `/runs/${body.flow_run.id}/logs`, headers: auth })).json();
    expect(logs.lines[0].line).toBe('line-0');
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });
});

describe('8. a group that appears after its deployment was cancelled', () => {
  it('is waited for (bounded) and deleted by cleanup', async () => {
    await fault(h, { kind: 'late-create', share: 1, limit: 1, delaySeconds: 40 });
    const body = submission({ command: 'sh -c "sleep 100000"' });
    const pid = (await post(h, body)).json().infrastructure_pid;
    await waitFor(() => getRun(h, body.flow_run.id), (r) => r.state === 'PROVISIONING');
    await h.app.inject({ method: 'DELETE', url: `/runs/${pid}`, headers: auth });
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('CANCELLED');
    expect(run.cleanup.state).toBe('done');
    expect((await counters(h)).injected['late-create']).toBeGreaterThanOrEqual(1);
    // The group did appear after the cancel, and cleanup deleted it.
    expect((await counters(h)).operations.ContainerGroups_Delete).toBeGreaterThanOrEqual(1);
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });
});

describe('9. GPU requests', () => {
  it('are refused at submission and in preview: ACI retired its GPUs', async () => {
    const body = submission({ gpu_count: 1, gpu_sku: 'V100' });
    for (const url of ['/runs', '/runs/preview']) {
      const res = await h.app.inject({ method: 'POST', url, headers: auth, payload: body });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0]).toMatchObject({ path: '/job_variables/gpu_count' });
      expect(res.json().error.details[0].message).toMatch(/no longer offers GPUs/);
    }
    expect((await getRun(h, body.flow_run.id)).error.code).toBe('RUN_NOT_FOUND');
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });
});

describe('10. permanent conditions have a bound and a hint', () => {
  it('a lock makes cleanup give up (cleanup.state failed) without changing the outcome', async () => {
    const body = submission({ command: 'sh -c "echo done; sleep 100; exit 0"' });
    await post(h, body);
    await waitFor(() => getRun(h, body.flow_run.id), (r) => r.state === 'RUNNING');
    // Someone locks the resource group while the flow runs.
    await fault(h, { kind: 'lock', share: 1, resourceGroup: RESOURCE_GROUP });
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    expect(run.cleanup.state).toBe('failed');
    expect(run.cleanup.last_error).toMatch(/ScopeLocked.*Hint: A lock/);
    // Nothing could be deleted: the group is still there for an operator (or the sweeper) to remove.
    expect((await azureState(h)).containerGroups.map((g) => g.name)).toContain(groupOf(body.flow_run.id));
  });

  it.each([
    ['AuthorizationFailed', /needs|lacks permission/],
    ['LinkedAuthorizationFailed', /linked|links to/],
    ['MissingSubscriptionRegistration', /az provider register --namespace Microsoft.ContainerInstance/],
  ])('%s reaches the run with a hint', async (code, hint) => {
    await fault(h, { kind: 'create-failure', share: 1, limit: 1, at: 'validation', code, message: `Azure says ${code}.` });
    const body = submission();
    await post(h, body);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('CRASHED');
    expect(run.azure.error_code).toBe(code);
    expect(run.azure.error_hint).toMatch(hint);
    expect(lastReason(run)).toContain(`${code}: Azure says ${code}. Hint: `);
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });

  it('ResourceGroupNotFound (resource groups not created on first use) reaches the run with a hint', async () => {
    const strict = await startService({ emulator: { settings: { autoCreateResourceGroups: false } } });
    try {
      const body = submission();
      await post(strict, body);
      const run = await settled(strict, body.flow_run.id);
      expect(run.state).toBe('CRASHED');
      expect(run.azure.error_code).toBe('ResourceGroupNotFound');
      expect(run.azure.error_hint).toMatch(/never creates resource groups/);
      expect((await azureState(strict)).containerGroups).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});

describe('11. ARM\'s history cleanup removes the record of a deployment no read has seen succeed', () => {
  /** A run whose deployment reads all fail (connection reset) until its start deadline has passed, its group created meanwhile. */
  async function pastDeadlineUnread(command: string) {
    await fault(h, { kind: 'reset', share: 1, operation: 'Deployments_Get' });
    const body = submission({ command, task_start_timeout_seconds: 1 });
    await post(h, body);
    const waiting = await waitFor(
      () => getRun(h, body.flow_run.id),
      (r) => r.state === 'PROVISIONING' && r.azure.last_transient_error !== undefined && Date.now() > Date.parse(r.provisioning_deadline),
    );
    await waitFor(() => azureState(h), (s) => s.containerGroups.some((g) => g.name === groupOf(body.flow_run.id)));
    return { body, waiting };
  }

  it('past the start deadline, the provisioned group is followed instead of the run ending ProvisioningTimeout', async () => {
    // Meanwhile the deployment succeeded and its record went (as ARM's cleanup removes old finished deployments).
    const { body, waiting } = await pastDeadlineUnread('sh -c "echo started; sleep 5; exit 0"');
    const removed = await call(h.emulator, 'DELETE', `/subscriptions/${SUBSCRIPTION}/resourcegroups/${RESOURCE_GROUP}/providers/Microsoft.Resources/deployments/${waiting.deployment_name}?api-version=2025-03-01`);
    expect(removed.status).toBe(202);
    await call(h.emulator, 'DELETE', '/_emulator/faults');
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    expect(run.history.map((t: { reason: string }) => t.reason).join(' ')).toContain('deployment record is gone');
    expect((await counters(h)).injected.reset).toBeGreaterThanOrEqual(1);
    expect((await azureState(h)).containerGroups.map((g) => g.name)).not.toContain(groupOf(body.flow_run.id));
  });

  it('with neither the deployment nor its group there, the run ends ProvisioningTimeout without a cancel', async () => {
    const { body, waiting } = await pastDeadlineUnread('sh -c "sleep 5"');
    const groupPath = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ContainerInstance/containerGroups/${groupOf(body.flow_run.id)}`;
    expect([200, 202, 204]).toContain((await call(h.emulator, 'DELETE', `${groupPath}?api-version=2023-05-01`)).status);
    await waitFor(() => azureState(h), (s) => !s.containerGroups.some((g) => g.name === groupOf(body.flow_run.id)));
    expect((await call(h.emulator, 'DELETE', `/subscriptions/${SUBSCRIPTION}/resourcegroups/${RESOURCE_GROUP}/providers/Microsoft.Resources/deployments/${waiting.deployment_name}?api-version=2025-03-01`)).status).toBe(202);
    await call(h.emulator, 'POST', '/_emulator/counters/reset');
    await call(h.emulator, 'DELETE', '/_emulator/faults');
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('CRASHED');
    expect(run.azure.error_code).toBe('ProvisioningTimeout');
    expect(lastReason(run)).toContain('neither the deployment nor the container group exists');
    expect((await counters(h)).operations.Deployments_Cancel ?? 0).toBe(0);
  });
});
