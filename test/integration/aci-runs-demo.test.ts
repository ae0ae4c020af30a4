// The built `aci-runs` binary (as its `bin` runs it) against the built demo (`node dist/main.js demo`):
// API + worker + the emulator in one child process, on the shared Redis under its own queue prefix. The
// README's typed-client example runs against the same demo, as written.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { aciRuns, aciRunsLive, runNode } from '../helpers/aci-runs.js';
import { startDemoProcess, type DemoProcess } from '../helpers/demo-process.js';
import { keysContaining } from '../helpers/redis-keys.js';
import { waitFor } from '../helpers/service.js';

const DEMO_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('aci-runs against the demo', () => {
  let demo: DemoProcess;
  let dir: string;
  let env: Record<string, string>;
  const aci = (...args: string[]) => aciRuns(env, args);

  beforeAll(async () => {
    demo = await startDemoProcess({ redisUrl: inject('redisUrl') });
    env = { ACI_RUNNER_URL: demo.url, ACI_RUNNER_KEY: demo.key };
    dir = await mkdtemp(join(tmpdir(), 'aci-runs-demo-'));
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    if (!demo) return;
    const code = await demo.stop();
    expect(code, demo.output()).toBe(0); // SIGTERM closes everything and the demo exits on its own
    const redis = new Redis(inject('redisUrl'));
    try {
      expect(await keysContaining(redis, demo.prefix, '')).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 60_000);

  const vars = (command: string) => [
    '--var', 'resource_group_name=demo-rg',
    '--var', `subscription_id=${DEMO_SUBSCRIPTION}`,
    '--var', `command=${command}`,
    '--var', 'entrypoint=null',
    '--var', 'task_watch_poll_interval=0.2',
  ];

  it('answers --help for every command, and uses the key from ACI_RUNNER_KEY', async () => {
    const main = await aci('--help');
    expect(main.code).toBe(0);
    for (const command of ['submit', 'get', 'list', 'logs', 'wait', 'kill', 'pools']) {
      expect(main.stdout).toContain(command);
      const res = await aci(command, '--help');
      expect(res.code, command).toBe(0);
      expect(res.stdout, command).toContain(command);
    }
    const wrongKey = await aciRuns({ ...env, ACI_RUNNER_KEY: 'not-the-demo-key' }, ['list']);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('UNAUTHENTICATED');
  });

  it('submits with --var flags, follows the logs live, and wait exits with the status_code of a failing run', async () => {
    const submitted = await aci('submit', '--flow', 'demo-cli-flow', '--name', 'cli-fails', ...vars('sh -c "echo line one; sleep 2; echo line two; exit 3"'), '--json');
    expect(submitted.code, submitted.stderr).toBe(0);
    const run = JSON.parse(submitted.stdout);
    expect(run).toMatchObject({ state: 'PENDING', work_pool: 'default' });
    const id = run.id as string;

    const follow = aciRunsLive(env, ['logs', id, '--follow']);
    const waited = await aci('wait', id, '--interval', '0.2');
    expect(waited.code, waited.stderr).toBe(3);
    expect(waited.stdout).toContain(`${id} FAILED status_code 3`);
    expect(waited.stderr).toMatch(new RegExp(`${id} FAILED \\d+\\.\\ds`)); // the progress line: state and elapsed time

    const followed = await follow.done;
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout).toBe('line one\nline two\n');
    expect(followed.stderr).toContain('-- FAILED (status_code 3)');
    expect((await aci('logs', id)).stdout).toBe('line one\nline two\n');

    const got = await aci('get', id);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/state:\s+FAILED/);
    expect(got.stdout).toMatch(/result:\s+status_code 3/);
    expect(got.stdout).toMatch(/\bRUNNING\b/); // the history table
    expect(JSON.parse((await aci('get', id, '--json')).stdout)).toMatchObject({ id, state: 'FAILED', result: { status_code: 3 } });

    const listed = await aci('list', '--state', 'failed');
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+STATE\s+POOL\s+FLOW\s+AGE\s+RESULT$/);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+FAILED\\s+default\\s+demo-cli-flow\\s+\\S+\\s+exit 3`));
    const page = JSON.parse((await aci('list', '--json')).stdout);
    expect(page.items.map((r: { id: string }) => r.id)).toContain(id);
  });

  it('submits with a job variables file, and wait exits 0 for a run that exits 0', async () => {
    const file = join(dir, 'vars.json');
    await writeFile(file, JSON.stringify({ resource_group_name: 'demo-rg', subscription_id: DEMO_SUBSCRIPTION, entrypoint: null, task_watch_poll_interval: 0.2 }));
    const submitted = await aci('submit', '--vars-file', file, '--var', 'command=sh -c "echo all good; exit 0"');
    expect(submitted.code, submitted.stderr).toBe(0);
    const [id, state] = submitted.stdout.trim().split(' ');
    expect(state).toBe('PENDING');
    const waited = await aci('wait', id, '--json');
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ id, state: 'COMPLETED', result: { status_code: 0 } });
  });

  it('kills a running run; wait then exits 1 and a second kill is refused with its code', async () => {
    const submitted = await aci('submit', ...vars('sh -c "echo started; sleep 6000"'), '--json');
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = JSON.parse(submitted.stdout).id as string;
    await waitFor(async () => JSON.parse((await aci('get', id, '--json')).stdout).state as string, (state) => state === 'RUNNING', 30_000);

    const killed = await aci('kill', id);
    expect(killed.code, killed.stderr).toBe(0);
    expect(killed.stdout).toContain(`${id} CANCELLING`);
    const waited = await aci('wait', id);
    expect(waited.code).toBe(1); // a cancelled run has no status_code of a finished process
    expect(waited.stdout).toContain(`${id} CANCELLED`);
    const again = await aci('kill', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('RUN_ALREADY_FINISHED');
  });

  it('lists, gets and puts work pools', async () => {
    const listed = await aci('pools', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+CONCURRENCY\s+DESCRIPTION/);
    expect(listed.stdout).toMatch(/\ndefault\s/);
    const pool = JSON.parse((await aci('pools', 'get', 'default')).stdout);
    expect(pool.name).toBe('default');

    const file = join(dir, 'pool.json');
    await writeFile(file, JSON.stringify({ base_job_template: pool.base_job_template, description: 'put by aci-runs', concurrency_limit: 2 }));
    const put = await aci('pools', 'put', 'cli-demo-pool', '--file', file);
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toContain('cli-demo-pool saved');
    expect((await aci('pools', 'list')).stdout).toMatch(/\ncli-demo-pool\s+2\s+put by aci-runs/);
    const asJson = JSON.parse((await aci('pools', 'list', '--json')).stdout);
    expect(asJson.items.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['default', 'cli-demo-pool']));
    expect(JSON.parse((await aci('pools', 'get', 'cli-demo-pool')).stdout)).toMatchObject({ name: 'cli-demo-pool', concurrency_limit: 2 });
  });

  it('runs the README example of the typed client as written, through the package export', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes("from 'aci-flow-runner/client'"));
    expect(examples).toHaveLength(1);
    const documentedUrl = "baseUrl: 'http://127.0.0.1:3000'";
    expect(examples[0]).toContain(documentedUrl);
    const code = `${examples[0].replace(documentedUrl, `baseUrl: ${JSON.stringify(demo.url)}`)}\nconsole.log(JSON.stringify({ state: done.state, result: done.result }));\n`;
    // Inside the package, so `aci-flow-runner/client` resolves through package.json "exports" as it does for a user.
    await mkdir(join(ROOT, 'artifacts'), { recursive: true });
    const exampleDir = await mkdtemp(join(ROOT, 'artifacts', 'readme-client-'));
    try {
      const file = join(exampleDir, 'example.mjs');
      await writeFile(file, code);
      const res = await runNode(file, [], { ACI_RUNNER_KEY: demo.key });
      expect(res.code, res.stderr).toBe(0);
      const lines = res.stdout.trim().split('\n');
      expect(lines.slice(0, -1)).toEqual(['hi']); // the followed log stream
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ state: 'COMPLETED', result: { status_code: 0 } });
    } finally {
      await rm(exampleDir, { recursive: true, force: true });
    }
  });
});
