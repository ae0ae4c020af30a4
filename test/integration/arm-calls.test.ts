// What one happy-path run costs in ARM calls, counted by the emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/emulator.js';
import { auth, settled, startService, submission, type Harness } from '../helpers/service.js';

const WRITES = ['Deployments_CreateOrUpdate', 'ContainerGroups_Delete', 'Deployments_Delete'];

describe('ARM calls of a happy-path run', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startService();
  });
  afterAll(async () => h.close());

  it('are at most 3 writes and 5 reads besides the watch polls, with no status polls', async () => {
    await call(h.emulator, 'POST', '/_emulator/counters/reset');
    const body = submission({ command: 'sh -c "echo done; exit 0"', stream_output: false });
    await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    expect(run.cleanup.state).toBe('done');
    const ops: Record<string, number> = (await call(h.emulator, 'GET', '/_emulator/counters')).body.operations;
    for (const write of WRITES) expect(ops[write]).toBe(1);
    const writes = Object.entries(ops).filter(([op]) => !/_(Get|List\w*|OperationStatus)$/.test(op));
    expect(writes.map(([op]) => op).sort()).toEqual([...WRITES].sort());
    // No long-running-operation status polls: the steps read the resources themselves.
    expect(ops.Deployments_OperationStatus ?? 0).toBe(0);
    expect(ops.ContainerGroups_OperationStatus ?? 0).toBe(0);
    // Every group read is a watch poll (the one that ends provisioning is the first); the rest:
    const watchPolls = ops.ContainerGroups_Get ?? 0;
    const reads = Object.entries(ops).filter(([op]) => /_(Get|List\w*)$/.test(op)).reduce((n, [, c]) => n + c, 0);
    expect(watchPolls).toBeGreaterThanOrEqual(1);
    expect(reads - watchPolls).toBeLessThanOrEqual(5);
    expect(ops.Containers_ListLogs).toBe(1);
    // And the group really is gone.
    const state = (await call(h.emulator, 'GET', '/_emulator/state')).body;
    expect(state.containerGroups.filter((g: { name: string }) => g.name === run.container_group_name)).toEqual([]);
  });
});
