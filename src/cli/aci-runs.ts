#!/usr/bin/env node
// aci-runs: the command line on the typed client. ACI_RUNNER_URL and ACI_RUNNER_KEY say where and who.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createRunnerClient, expectData, followLogs, RunnerError, waitForRun, type Run } from '../client/index.js';
import { HELP } from './help.js';
import { age, table } from './table.js';

class UsageError extends Error {}

const out = (text: string) => process.stdout.write(text);
const json = (value: unknown) => out(`${JSON.stringify(value, null, 2)}\n`);

function settings() {
  return { baseUrl: process.env.ACI_RUNNER_URL || 'http://127.0.0.1:3000', apiKey: process.env.ACI_RUNNER_KEY || undefined };
}

type Values = Record<string, string | boolean | string[] | undefined>;

function parse(args: string[], options: ParseArgsConfig['options'] = {}): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...options } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const text = (values: Values, name: string) => values[name] as string | undefined;

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`Give exactly one ${what}.`);
  return positionals[0];
}

/** --var values: JSON when they parse (numbers, booleans, objects), text otherwise. */
function jobVariables(files: string | undefined, vars: string[]): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  if (files) {
    const parsed = JSON.parse(readFileSync(files, 'utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`${files} must hold a JSON object of job variables.`);
    Object.assign(variables, parsed);
  }
  for (const entry of vars) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var takes KEY=VALUE, got "${entry}".`);
    const raw = entry.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // plain text
    }
    variables[entry.slice(0, eq)] = value;
  }
  return variables;
}

const resultText = (run: Run) => (run.result ? `exit ${run.result.status_code}` : '-');
const flowName = (run: Run) => String((run.flow as { name?: string } | undefined)?.name ?? '');

function runTable(runs: Run[]): string {
  return table(
    ['ID', 'STATE', 'POOL', 'FLOW', 'AGE', 'RESULT'],
    runs.map((r) => [r.id, r.state, r.work_pool, flowName(r), age(r.submitted_at), resultText(r)]),
  );
}

function runDetails(run: Run): string {
  const lines = [
    `id:                 ${run.id}`,
    `state:              ${run.state}`,
    `work pool:          ${run.work_pool}`,
    `flow:               ${flowName(run) || '-'}`,
    `infrastructure pid: ${run.infrastructure_pid}`,
    `submitted:          ${run.submitted_at} (${age(run.submitted_at)} ago)`,
    `result:             ${run.result ? `status_code ${run.result.status_code}` : '-'}`,
    ...(run.azure?.error_code ? [`azure error:        ${run.azure.error_code}: ${run.azure.error_message ?? ''}`] : []),
    '',
  ];
  return lines.join('\n') + table(['AT', 'STATE', 'REASON'], run.history.map((h) => [h.at, h.state, h.reason]));
}

/** The exit status of a finished run: its status_code where a process can return it. */
const exitStatusOf = (run: Run) => {
  const code = run.result?.status_code;
  return code !== undefined && Number.isInteger(code) && code >= 0 && code <= 255 ? code : 1;
};

async function wait(id: string, values: { json?: boolean; timeout?: string; interval?: string }): Promise<number> {
  const client = createRunnerClient(settings());
  const started = Date.now();
  const live = process.stderr.isTTY;
  let shown = '';
  const progress = (run: Run) => {
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    // A terminal gets one line rewritten in place; a pipe gets a line per state.
    if (live) process.stderr.write(`\r\x1b[2K${run.id} ${run.state} ${elapsed}s`);
    else if (run.state !== shown) process.stderr.write(`${run.id} ${run.state} ${elapsed}s\n`);
    shown = run.state;
  };
  try {
    const run = await waitForRun(client, id, {
      intervalMs: values.interval ? Number(values.interval) * 1000 : 1000,
      ...(values.timeout ? { timeoutMs: Number(values.timeout) * 1000 } : {}),
      onProgress: progress,
    });
    if (live) process.stderr.write('\n');
    if (values.json) json(run);
    else out(`${run.id} ${run.state} ${run.result ? `status_code ${run.result.status_code}` : ''}\n`);
    return exitStatusOf(run);
  } catch (err) {
    if (err instanceof RunnerError && err.code === 'WAIT_TIMEOUT') {
      if (live) process.stderr.write('\n');
      process.stderr.write(`${err.message}\n`);
      return 124;
    }
    throw err;
  }
}

const commands: Record<string, (args: string[]) => Promise<number>> = {
  async submit(args) {
    const { values } = parse(args, {
      pool: { type: 'string' },
      flow: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
      var: { type: 'string', multiple: true },
      'vars-file': { type: 'string' },
      wait: { type: 'boolean' },
    });
    const id = text(values, 'id');
    const flow = text(values, 'flow');
    const pool = text(values, 'pool');
    const body = {
      flow_run: { name: text(values, 'name') ?? 'aci-runs', ...(id ? { id } : {}) },
      ...(flow ? { flow: { name: flow } } : {}),
      ...(pool ? { work_pool: pool } : {}),
      job_variables: jobVariables(text(values, 'vars-file'), (values.var as string[] | undefined) ?? []),
    };
    const run = expectData(await createRunnerClient(settings()).POST('/runs', { body }));
    if (values.wait) {
      if (!values.json) process.stderr.write(`submitted ${run.id}\n`);
      return wait(run.id, { json: values.json as boolean | undefined });
    }
    if (values.json) json(run);
    else out(`${run.id} ${run.state}\n`);
    return 0;
  },

  async get(args) {
    const { values, positionals } = parse(args);
    const run = expectData(await createRunnerClient(settings()).GET('/runs/{id}', { params: { path: { id: one(positionals, 'flow run id') } } }));
    if (values.json) json(run);
    else out(runDetails(run));
    return 0;
  },

  async list(args) {
    const { values } = parse(args, { state: { type: 'string' }, pool: { type: 'string' }, limit: { type: 'string' } });
    const state = text(values, 'state');
    const pool = text(values, 'pool');
    const query = {
      limit: values.limit ? Number(values.limit) : 20,
      ...(state ? { state: state.toUpperCase() as Run['state'] } : {}),
      ...(pool ? { work_pool: pool } : {}),
    };
    const page = expectData(await createRunnerClient(settings()).GET('/runs', { params: { query } }));
    if (values.json) json(page);
    else out(runTable(page.items));
    return 0;
  },

  async logs(args) {
    const { values, positionals } = parse(args, { follow: { type: 'boolean', short: 'f' } });
    const id = one(positionals, 'flow run id');
    if (!values.follow) {
      const logs = expectData(await createRunnerClient(settings()).GET('/runs/{id}/logs', { params: { path: { id }, query: { follow: false } } }));
      // Without follow the answer is JSON; the text/event-stream variant of the type is for follow=true.
      const { lines } = logs as Exclude<typeof logs, string>;
      for (const line of lines) out(values.json ? `${JSON.stringify(line)}\n` : `${line.line}\n`);
      return 0;
    }
    for await (const event of followLogs({ ...settings(), runId: id })) {
      if (values.json) out(`${JSON.stringify(event)}\n`);
      else if (event.type === 'log') out(`${event.line}\n`);
      else process.stderr.write(`-- ${event.state}${event.result ? ` (status_code ${event.result.status_code})` : ''}\n`);
    }
    return 0;
  },

  async wait(args) {
    const { values, positionals } = parse(args, { timeout: { type: 'string' }, interval: { type: 'string' } });
    return wait(one(positionals, 'flow run id'), values as { json?: boolean; timeout?: string; interval?: string });
  },

  async kill(args) {
    const { values, positionals } = parse(args);
    const client = createRunnerClient(settings());
    let pid = one(positionals, 'flow run id or infrastructure pid');
    if (!pid.includes(':')) pid = expectData(await client.GET('/runs/{id}', { params: { path: { id: pid } } })).infrastructure_pid;
    const run = expectData(await client.DELETE('/runs/{id}', { params: { path: { id: pid } } }));
    if (values.json) json(run);
    else out(`${run.id} ${run.state}\n`);
    return 0;
  },

  async pools(args) {
    const [action, ...rest] = args;
    const { values, positionals } = parse(rest, { file: { type: 'string' } });
    const client = createRunnerClient(settings());
    if (action === 'list') {
      const pools = expectData(await client.GET('/work-pools'));
      if (values.json) json(pools);
      else out(table(['NAME', 'CONCURRENCY', 'DESCRIPTION'], pools.items.map((p) => [p.name, String(p.concurrency_limit ?? '-'), p.description ?? ''])));
      return 0;
    }
    if (action === 'get') {
      const pool = expectData(await client.GET('/work-pools/{name}', { params: { path: { name: one(positionals, 'pool name') } } }));
      json(pool); // a pool is a document; people read it as JSON too
      return 0;
    }
    if (action === 'put') {
      if (!values.file) throw new UsageError('pools put needs --file POOL.json.');
      const body = JSON.parse(readFileSync(text(values, 'file')!, 'utf8'));
      const pool = expectData(await client.PUT('/work-pools/{name}', { params: { path: { name: one(positionals, 'pool name') } }, body }));
      if (values.json) json(pool);
      else out(`${pool.name} saved\n`);
      return 0;
    }
    throw new UsageError('pools takes list, get or put.');
  },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(HELP.main);
    return command ? 0 : 2;
  }
  const run = commands[command];
  if (!run) {
    process.stderr.write(`aci-runs: unknown command "${command}"\n\n${HELP.main}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    out(HELP[command]);
    return 0;
  }
  try {
    return await run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`aci-runs ${command}: ${err.message}\n\n${HELP[command]}`);
      return 2;
    }
    if (err instanceof RunnerError) {
      process.stderr.write(`aci-runs ${command}: ${err.code}: ${err.message}\n`);
      for (const detail of err.details ?? []) process.stderr.write(`  ${JSON.stringify(detail)}\n`);
      return 1;
    }
    if (err instanceof TypeError && /fetch failed/.test(err.message)) {
      process.stderr.write(`aci-runs ${command}: cannot reach ${settings().baseUrl} (${(err.cause as Error | undefined)?.message ?? err.message}); set ACI_RUNNER_URL\n`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`aci-runs: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
