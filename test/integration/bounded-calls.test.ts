// Every Azure call is bounded: a hung call times out, a kill aborts it, and shutdown does not wait for it.
import { afterEach, describe, expect, it } from 'vitest';
import { call } from '../helpers/emulator.js';
import { auth, getRun, settled, startService, submission, waitFor, type Harness } from '../helpers/service.js';

const hangs = async (h: Harness) => (await call(h.emulator, 'GET', '/_emulator/counters')).body.injected.hang ?? 0;

/** Each test's own service, closed after it. */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('bounded Azure calls', () => {
  it('a hung call times out and the run carries on', async () => {
    h = await startService({ env: { AZURE_CALL_TIMEOUT_MS: '300' } });
    await call(h.emulator, 'POST', '/_emulator/faults', { kind: 'hang', share: 1, operation: 'ContainerGroups_Get', limit: 1 });
    const body = submission({ command: 'sh -c "echo hi; sleep 20; exit 0"' });
    await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    const run = await settled(h, body.flow_run.id, 20_000);
    expect(await hangs(h)).toBe(1);
    expect(run.state).toBe('COMPLETED');
    expect(run.azure.last_transient_error).toMatch(/abort/i);
  });

  it('a kill arriving during a hung call reaches the run without waiting for the timeout', async () => {
    // The timeout is far longer than the test may wait: only the kill can end the hung call.
    const harness = (h = await startService({ env: { AZURE_CALL_TIMEOUT_MS: '600000' } }));
    const body = submission({ command: 'sh -c "sleep 100000"' });
    const pid = (await harness.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body })).json().infrastructure_pid;
    await waitFor(() => getRun(harness, body.flow_run.id), (r) => r.state === 'RUNNING');
    await call(harness.emulator, 'POST', '/_emulator/faults', { kind: 'hang', share: 1, operation: 'ContainerGroups_Get', limit: 1 });
    await waitFor(() => hangs(harness), (n) => n === 1);
    const kill = await harness.app.inject({ method: 'DELETE', url: `/runs/${pid}`, headers: auth });
    expect(kill.statusCode).toBe(202);
    const run = await settled(harness, body.flow_run.id, 10_000);
    expect(run.state).toBe('CANCELLED');
    expect(run.history.map((t: { state: string }) => t.state)).toContain('CANCELLING');
  });

  it('shutdown aborts a hung call instead of waiting for it', async () => {
    const harness = (h = await startService({ env: { AZURE_CALL_TIMEOUT_MS: '600000', WORKER_SHUTDOWN_MS: '100' } }));
    const body = submission({ command: 'sh -c "sleep 100000"' });
    await harness.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    await waitFor(() => getRun(harness, body.flow_run.id), (r) => r.state === 'RUNNING');
    await call(harness.emulator, 'POST', '/_emulator/faults', { kind: 'hang', share: 1, operation: 'ContainerGroups_Get', limit: 1 });
    await waitFor(() => hangs(harness), (n) => n === 1);
    let closed = false;
    const closing = harness.worker!.close().then(() => (closed = true));
    await waitFor(async () => closed, (c) => c, 10_000);
    await closing;
    // The run itself is untouched: another worker would carry on with it.
    expect((await getRun(harness, body.flow_run.id)).state).toBe('RUNNING');
  });
});

describe('a connection reset before any answer (reset-retry.ts)', () => {
  it('a read is sent again at once on a fresh connection: the run never sees the reset', async () => {
    const harness = (h = await startService());
    const body = submission({ command: 'sh -c "echo hi; sleep 300; exit 0"' }); // 3 s at the emulator's time scale
    await harness.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    await waitFor(() => getRun(harness, body.flow_run.id), (r) => r.state === 'RUNNING');
    await call(harness.emulator, 'POST', '/_emulator/faults', { kind: 'reset', share: 1, operation: 'ContainerGroups_Get', limit: 1 });
    const run = await settled(harness, body.flow_run.id);
    expect((await call(harness.emulator, 'GET', '/_emulator/counters')).body.injected.reset).toBe(1);
    expect(run.state).toBe('COMPLETED');
    expect(run.azure.last_transient_error).toBeUndefined();
  });

  it('a write is not sent again by it: the step that sent it looks before it sends again', async () => {
    const harness = (h = await startService());
    await call(harness.emulator, 'POST', '/_emulator/faults', { kind: 'reset', share: 1, operation: 'Deployments_CreateOrUpdate', limit: 1 });
    const body = submission({ command: 'sh -c "echo hi; exit 0"' });
    await harness.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    const run = await settled(harness, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    expect(run.azure.last_transient_error).toMatch(/ECONNRESET|socket hang up/i);
    const ops = (await call(harness.emulator, 'GET', '/_emulator/counters')).body.operations;
    expect(ops.Deployments_CreateOrUpdate).toBe(2); // the reset one, then the step's own repeat after a look
    expect(ops.Deployments_Get).toBeGreaterThanOrEqual(1);
  });
});
