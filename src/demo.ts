// `npm run demo`: the API, a worker and the built-in Azure emulator in one process, on local Redis.
import type { Logger } from 'pino';
import { loadEmulatorConfig } from './config.js';
import { startWithEmulator } from './embedded.js';

export const DEMO_KEY = 'demo-key-change-me';

export async function startDemo(log: Logger) {
  const { timeScale, settings } = loadEmulatorConfig(undefined, { timeScale: 0.1 });
  const { emulator, config, runtime, close } = await startWithEmulator({
    emulator: { timeScale, settings },
    env: {},
    defaults: { API_KEYS: DEMO_KEY, HOST: '127.0.0.1', MIN_POLL_INTERVAL_SECONDS: '0.2', LOG_LEVEL: 'warn' },
    log,
  });
  const ready = await runtime.app!.inject({ url: '/readyz' });
  const base = `http://${config.host}:${config.port}`;
  process.stdout.write(
    [
      '',
      `aci-flow-runner demo on ${base} (Swagger UI: ${base}/docs, runs page: ${base}/ui)`,
      `Azure = built-in emulator at ${emulator.url}, time x${emulator.world.clock.timeScale}`,
      ready.statusCode === 200 ? 'Redis: up' : `Redis: NOT ANSWERING at ${config.redisUrl}; start one (redis-server) and retry`,
      '',
      'Submit a flow run:',
      `  curl -s -X POST ${base}/runs -H 'Authorization: Bearer ${DEMO_KEY}' -H 'content-type: application/json' \\`,
      `    -d '{"flow_run":{"name":"demo-run"},"flow":{"name":"hello-flow"},"job_variables":{"resource_group_name":"demo-rg","subscription_id":"00000000-0000-0000-0000-000000000000","command":"sh -c \\"echo hello from ACI; sleep 20; echo done; exit 0\\"","entrypoint":null,"stream_output":true,"task_watch_poll_interval":1}}'`,
      'Then follow it:',
      `  curl -s ${base}/runs/<id> -H 'Authorization: Bearer ${DEMO_KEY}'`,
      `  curl -sN "${base}/runs/<id>/logs?follow=true" -H 'Authorization: Bearer ${DEMO_KEY}'`,
      '',
    ].join('\n'),
  );
  return { close };
}
