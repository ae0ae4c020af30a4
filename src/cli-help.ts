// `node dist/main.js [command] --help`: what each command does and the settings it reads.
export const COMMANDS = {
  all: 'API and worker in one process (the default).',
  api: 'HTTP API only: PORT, HOST, API_KEYS, REDIS_URL; /metrics needs a key unless METRICS_PUBLIC=true.',
  worker: 'Worker only: runs flow runs on Azure; REDIS_URL, WORKER_CONCURRENCY; METRICS_PORT serves /metrics and /healthz.',
  emulator: 'The built-in Azure (ARM, ACI, Entra) emulator over HTTPS: EMULATOR_HOST, EMULATOR_PORT, EMULATOR_TIME_SCALE.',
  demo: 'API, worker and the emulator in one process, with a sample run to try; REDIS_URL, or its own redis-server when nothing answers there.',
  bench: 'Submits BENCH_RUNS runs against the emulator and prints throughput and latency.',
  'bench-api': 'POST /runs against a bare Fastify route (one SET + one queue add), alternated in one run; prints both and the ratio.',
  'bench-bare': 'The bare baseline route of bench-api (started by it as a child process).',
  'bench-intake': "A worker's intake alone, adding the jobs of new runs (started by bench-api as a child process).",
  openapi: 'Writes openapi.yaml from the route schemas.',
} as const;
export type Command = keyof typeof COMMANDS;

export const isCommand = (value: string): value is Command => Object.hasOwn(COMMANDS, value);

export function usage(command?: Command): string {
  if (command) return `Usage: node dist/main.js ${command}\n\n${COMMANDS[command]}\nEvery setting is an environment variable; README.md lists them all.\n`;
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'Usage: node dist/main.js [command] [--help]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, text]) => `  ${name.padEnd(width)}  ${text}`),
    '',
    'Every setting is an environment variable; README.md lists them all.',
    '',
  ].join('\n');
}
