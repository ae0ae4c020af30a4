// `npm run demo`: the API, a worker and the built-in Azure emulator in one process, on local Redis
// (its own private redis-server when nothing answers at REDIS_URL).
import type { Logger } from 'pino';
import { loadDemoRedisUrl, loadEmulatorConfig } from './config.js';
import { startPrivateRedis, type PrivateRedis } from './demo-redis.js';
import { startWithEmulator } from './embedded.js';
import { closeConnection, producerConnection, redisAnswers } from './redis.js';

export const DEMO_KEY = 'demo-key-change-me';

/** The sample run: about 600 emulated seconds of output, a minute at the demo's time scale, long enough to follow. */
export const SAMPLE_COMMAND =
  'sh -c \\"echo hello from ACI; sleep 120; echo working 1/4; sleep 120; echo working 2/4; sleep 120; echo working 3/4; sleep 120; echo working 4/4; sleep 120; echo done; exit 0\\"';

/** "10× faster" for a scale of 0.1: how a person reads it. */
export function describeTimeScale(scale: number): string {
  if (scale === 1) return 'emulated time runs in real time';
  const factor = Number((1 / scale).toPrecision(3));
  return scale < 1 ? `emulated time runs ${factor}× faster` : `emulated time runs ${Number(scale.toPrecision(3))}× slower`;
}

async function answers(url: string): Promise<boolean> {
  const probe = producerConnection(url);
  // A refused connection is a clear "no": no need to wait out the timeout.
  const refused = new Promise<false>((resolve) => probe.once('error', () => resolve(false)));
  try {
    return await Promise.race([redisAnswers(probe, 1500), refused]);
  } finally {
    await closeConnection(probe);
  }
}

export async function startDemo(log: Logger) {
  const { timeScale, settings } = loadEmulatorConfig(undefined, { timeScale: 0.1 });
  const wanted = loadDemoRedisUrl();
  // Throws RedisServerMissing (one line, exit 1) when nothing answers and no redis-server is installed.
  const ownRedis: PrivateRedis | undefined = (await answers(wanted)) ? undefined : await startPrivateRedis(wanted);
  let started;
  try {
    started = await startWithEmulator({
      emulator: { timeScale, settings },
      env: ownRedis ? { REDIS_URL: ownRedis.url } : {},
      defaults: { API_KEYS: DEMO_KEY, HOST: '127.0.0.1', MIN_POLL_INTERVAL_SECONDS: '0.2', LOG_LEVEL: 'warn' },
      log,
    });
  } catch (err) {
    await ownRedis?.stop();
    throw err;
  }
  const { emulator, config, runtime, close } = started;
  // The address really listened on (PORT=0 picks a free port), and a key the demo accepts: its own unless
  // API_KEYS replaced it (then the user's key is not printed).
  const address = runtime.app?.server.address();
  const port = address && typeof address === 'object' ? address.port : config.port;
  const base = `http://${config.host}:${port}`;
  const key = config.apiKeys.some((k) => k.key === DEMO_KEY) ? DEMO_KEY : '<a key of API_KEYS>';
  process.stdout.write(
    [
      '',
      `aci-flow-runner demo on ${base} (Swagger UI: ${base}/docs, runs page: ${base}/ui)`,
      `Azure = built-in emulator at ${emulator.url}; ${describeTimeScale(emulator.world.clock.timeScale)} (EMULATOR_TIME_SCALE=${emulator.world.clock.timeScale})`,
      ownRedis
        ? `Redis: nothing answered at ${wanted}, so the demo runs its own redis-server at ${ownRedis.url} (pid ${ownRedis.pid}, no persistence, stopped with the demo)`
        : `Redis: ${config.redisUrl}`,
      '',
      'Submit a flow run (about a minute of output at this time scale):',
      `  curl -s -X POST ${base}/runs -H 'Authorization: Bearer ${key}' -H 'content-type: application/json' \\`,
      `    -d '{"flow_run":{"name":"demo-run"},"flow":{"name":"hello-flow"},"job_variables":{"resource_group_name":"demo-rg","subscription_id":"00000000-0000-0000-0000-000000000000","command":"${SAMPLE_COMMAND}","entrypoint":null,"stream_output":true,"task_watch_poll_interval":1}}'`,
      'Then follow it:',
      `  curl -s ${base}/runs/<id> -H 'Authorization: Bearer ${key}'`,
      `  curl -sN "${base}/runs/<id>/logs?follow=true" -H 'Authorization: Bearer ${key}'`,
      '',
    ].join('\n'),
  );
  return {
    redisUrl: config.redisUrl,
    async close() {
      await close();
      await ownRedis?.stop();
    },
  };
}
