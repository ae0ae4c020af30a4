// `npm run bench`: N flow runs through the real HTTP API, a worker and the emulator (emulated time 100× faster),
// on local Redis. Prints measured numbers; asserts nothing.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadBenchConfig } from './config.js';
import { startWithEmulator } from './embedded.js';
import { isTerminal } from './runs/model.js';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (n: number) => `${n.toFixed(1)} ms`;

export async function runBench() {
  const { runs, concurrency } = loadBenchConfig();
  const key = 'bench-key-0000';
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const { emulator, config, runtime, close } = await startWithEmulator({
    // ACI's regional quotas (100 groups, 100 cores, 100 creates per 5 minutes) are raised so that the
    // benchmark measures the service; the tests cover what happens at the quotas.
    emulator: { timeScale: 0.01, settings: { containerGroupQuota: runs, coreQuota: runs, createsPer5Minutes: runs, createsPerHour: runs, deletesPer5Minutes: runs, deletesPerHour: runs } },
    env: { API_KEYS: key, PORT: '0', HOST: '127.0.0.1', QUEUE_PREFIX: `bench-${randomUUID().slice(0, 8)}`, LOG_LEVEL: 'error' },
    defaults: { MIN_POLL_INTERVAL_SECONDS: '0.1', WORKER_CONCURRENCY: '20' },
    log: pino({ level: 'error' }),
  });
  const { port } = runtime.app!.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

  const latencies: number[] = [];
  const ids: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < runs) {
        const i = next++;
        const body = {
          flow_run: { id: randomUUID(), name: `bench-${i}` },
          flow: { name: 'bench-flow' },
          job_variables: {
            resource_group_name: 'bench-rg',
            subscription_id: '00000000-0000-0000-0000-00000000beef',
            command: 'sh -c "echo start; sleep 100; echo end; exit 0"',
            entrypoint: null,
            task_watch_poll_interval: 0.5,
          },
        };
        const t0 = performance.now();
        const res = await fetch(`${base}/runs`, { method: 'POST', headers, body: JSON.stringify(body) });
        latencies.push(performance.now() - t0);
        if (res.status !== 202) throw new Error(`POST /runs answered ${res.status}: ${await res.text()}`);
        ids.push(body.flow_run.id);
      }
    }),
  );
  const submitSeconds = (performance.now() - started) / 1000;

  // Wait for every run to end (polling the API, as a client would).
  const finalStates = new Map<string, any>();
  while (finalStates.size < ids.length) {
    for (const id of ids) {
      if (finalStates.has(id)) continue;
      const run = await (await fetch(`${base}/runs/${id}`, { headers })).json();
      if (isTerminal(run.state) && run.cleanup?.state !== 'pending') finalStates.set(id, run);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const totalSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);

  const toDeploy = [...finalStates.values()]
    .map((run) => Date.parse(run.history.find((t: { state: string }) => t.state === 'PROVISIONING').at) - Date.parse(run.submitted_at))
    .sort((a, b) => a - b);
  const sorted = [...latencies].sort((a, b) => a - b);
  const counters = emulator.world.faults.snapshot();
  const states = [...finalStates.values()].reduce<Record<string, number>>((acc, r) => ((acc[r.state] = (acc[r.state] ?? 0) + 1), acc), {});
  const perRun = Object.fromEntries(
    Object.entries(counters.operations as Record<string, number>).map(([op, n]) => [op, Number((n / runs).toFixed(2))]),
  );

  process.stdout.write(
    [
      `runs: ${runs}, client concurrency: ${concurrency}, worker concurrency: ${config.workerConcurrency}, emulated time 100× faster`,
      `final states: ${JSON.stringify(states)}`,
      `POST /runs: ${(runs / submitSeconds).toFixed(1)} submissions/s, p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}`,
      `submit → deployment sent: p50 ${ms(percentile(toDeploy, 50))}, p99 ${ms(percentile(toDeploy, 99))}`,
      `all runs finished and cleaned up in ${totalSeconds.toFixed(1)} s`,
      `ARM calls per run: ${JSON.stringify(perRun)}`,
      `ARM calls total: ${counters.total}, throttled by the emulator: ${counters.throttled}`,
      `peak RSS (API + worker + emulator in one process): ${(peakRss / 1024 / 1024).toFixed(0)} MiB`,
      '',
    ].join('\n'),
  );
  await close();
}
