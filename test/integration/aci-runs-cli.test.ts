// The built `aci-runs` binary against a running service (API + worker + emulator on real Redis).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aciRuns } from '../helpers/aci-runs.js';
import { ADMIN_KEY, READER_KEY } from '../helpers/config.js';
import { RESOURCE_GROUP, startService, type Harness } from '../helpers/service.js';
import { SUBSCRIPTION } from '../helpers/emulator.js';

describe('aci-runs', () => {
  let h: Harness;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    h = await startService();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    env = { ACI_RUNNER_URL: `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`, ACI_RUNNER_KEY: ADMIN_KEY };
    dir = await mkdtemp(join(tmpdir(), 'aci-runs-'));
  });
  afterAll(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  const aci = (args: string[], extraEnv: Record<string, string> = {}) => aciRuns({ ...env, ...extraEnv }, args);

  const vars = (command: string) => [
    '--var', `resource_group_name=${RESOURCE_GROUP}`,
    '--var', `subscription_id=${SUBSCRIPTION}`,
    '--var', `command=${command}`,
    '--var', 'entrypoint=null',
    '--var', 'task_watch_poll_interval=0.05',
  ];

  it('has --help for every command', async () => {
    for (const command of [[], ['submit'], ['get'], ['list'], ['logs'], ['wait'], ['kill'], ['pools']]) {
      const res = await aci([...command, '--help']);
      expect(res.code, command.join(' ')).toBe(0);
      expect(res.stdout).toMatch(/^(Usage|aci-runs)/);
    }
    expect((await aci(['frobnicate'])).code).toBe(2);
    expect((await aci(['get'])).code).toBe(2);
  });

  it('submits, waits (exit status = status_code, live progress), gets, lists and prints logs', async () => {
    const submitted = await aci(['submit', '--flow', 'cli-flow', '--name', 'from-cli', ...vars('sh -c "echo line one; echo line two; sleep 300; exit 3"'), '--json']);
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = JSON.parse(submitted.stdout).id as string;

    const waited = await aci(['wait', id, '--interval', '0.1']);
    expect(waited.code).toBe(3);
    expect(waited.stdout).toContain(`${id} FAILED status_code 3`);
    // A pipe gets one progress line per state, each with the elapsed time (the run sleeps 3 s of real time).
    expect(waited.stderr).toMatch(new RegExp(`${id} (PENDING|SUBMITTING|PROVISIONING|RUNNING) \\d+\\.\\ds`));
    expect(waited.stderr).toMatch(new RegExp(`${id} FAILED \\d+\\.\\ds`));

    const got = await aci(['get', id]);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/state:\s+FAILED/);
    expect(got.stdout).toContain('status_code 3');
    const asJson = JSON.parse((await aci(['get', id, '--json'])).stdout);
    expect(asJson).toMatchObject({ id, state: 'FAILED', result: { status_code: 3 } });

    const listed = await aci(['list', '--state', 'failed']);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+STATE\s+POOL\s+FLOW\s+AGE\s+RESULT$/);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+FAILED\\s+default\\s+cli-flow\\s+\\S+\\s+exit 3`));
    expect(JSON.parse((await aci(['list', '--json', '--limit', '5'])).stdout).items.map((r: { id: string }) => r.id)).toContain(id);

    const logs = await aci(['logs', id]);
    expect(logs.stdout).toBe('line one\nline two\n');
    const followed = await aci(['logs', id, '--follow']);
    expect(followed.stdout).toBe('line one\nline two\n');
    expect(followed.stderr).toContain('-- FAILED (status_code 3)');
  });

  it('submits with job variables from a file and --wait exits 0 for a run that exits 0', async () => {
    const file = join(dir, 'vars.json');
    await writeFile(file, JSON.stringify({ resource_group_name: RESOURCE_GROUP, subscription_id: SUBSCRIPTION, entrypoint: null, task_watch_poll_interval: 0.05 }));
    const res = await aci(['submit', '--vars-file', file, '--var', 'command=sh -c "echo ok; exit 0"', '--wait']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/COMPLETED status_code 0/);
  });

  it('follows logs live and kills a run', async () => {
    const submitted = await aci(['submit', ...vars('sh -c "echo started; sleep 6000"'), '--json']);
    const id = JSON.parse(submitted.stdout).id as string;
    const follow = aci(['logs', id, '--follow', '--json']);
    const waitRunning = await aci(['wait', id, '--timeout', '0.3']);
    expect(waitRunning.code).toBe(124);
    const killed = await aci(['kill', id]);
    expect(killed.code, killed.stderr).toBe(0);
    expect(killed.stdout).toContain(`${id} CANCELLING`);
    const followed = await follow;
    const events = followed.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ type: 'end', state: 'CANCELLED' });
    expect((await aci(['wait', id])).code).toBe(1); // CANCELLED has no status_code 0-255 of a finished process
    const again = await aci(['kill', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('RUN_ALREADY_FINISHED');
  });

  it('manages pools and reports API errors with their code', async () => {
    const pools = await aci(['pools', 'list']);
    expect(pools.code).toBe(0);
    expect(pools.stdout).toMatch(/^NAME\s+CONCURRENCY\s+DESCRIPTION/);
    expect(pools.stdout).toMatch(/\ndefault\s/);
    const pool = JSON.parse((await aci(['pools', 'get', 'default'])).stdout);
    const file = join(dir, 'pool.json');
    await writeFile(file, JSON.stringify({ base_job_template: pool.base_job_template, description: 'made by aci-runs', concurrency_limit: 3 }));
    const put = await aci(['pools', 'put', 'cli-pool', '--file', file]);
    expect(put.code, put.stderr).toBe(0);
    expect((await aci(['pools', 'list'])).stdout).toMatch(/cli-pool\s+3\s+made by aci-runs/);

    const missing = await aci(['get', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('RUN_NOT_FOUND');
    const forbidden = await aci(['pools', 'put', 'x', '--file', file], { ACI_RUNNER_KEY: READER_KEY });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain('FORBIDDEN');
    const unreachable = await aci(['list'], { ACI_RUNNER_URL: 'http://127.0.0.1:1' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach');
  });
});
