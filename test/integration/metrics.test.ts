// /metrics for scrapers without a key (METRICS_PUBLIC), and for worker-only processes (METRICS_PORT).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { armOperation } from '../../src/metrics/arm-policy.js';
import { startTestApp } from '../helpers/app.js';
import { ADMIN_KEY, testConfig } from '../helpers/config.js';
import { dropKeys } from '../helpers/redis-keys.js';

describe('metrics', () => {
  it('are served without a key only when METRICS_PUBLIC=true', async () => {
    for (const [flag, status] of [['false', 401], ['true', 200]] as const) {
      const config = testConfig({ METRICS_PUBLIC: flag });
      const t = await startTestApp(config);
      try {
        const res = await t.app.inject({ url: '/metrics' });
        expect(res.statusCode).toBe(status);
        if (status === 200) expect(res.body).toMatch(/^aci_flow_runner_redis_up 1$/m);
      } finally {
        await t.close();
        await dropKeys(config.redisUrl, config.queuePrefix);
      }
    }
  });

  it('are served by a worker-only process on METRICS_PORT, with a liveness answer', async () => {
    const config = testConfig();
    const port = 7501;
    const child = spawn(process.execPath, ['dist/main.js', 'worker'], {
      env: { ...process.env, METRICS_PORT: String(port), HOST: '127.0.0.1', API_KEYS: ADMIN_KEY, REDIS_URL: config.redisUrl, QUEUE_PREFIX: config.queuePrefix, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const deadline = Date.now() + 15_000;
      while (!output.includes('aci-flow-runner started') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toMatch(/^aci_flow_runner_queue_jobs\{state="waiting"\} 0$/m);
      expect(text).toMatch(/^process_cpu_user_seconds_total /m);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
    } finally {
      child.kill('SIGTERM');
      const [code] = await once(child, 'close');
      await dropKeys(config.redisUrl, config.queuePrefix);
      expect(code).toBe(0);
    }
  });

  it('name ARM operations by resource type, without resource names', () => {
    const base = 'https://management.azure.com/subscriptions/s/resourcegroups/rg/providers';
    expect(armOperation('PUT', `${base}/Microsoft.Resources/deployments/d1?api-version=1`)).toBe('PUT deployments');
    expect(armOperation('POST', `${base}/Microsoft.Resources/deployments/d1/cancel`)).toBe('POST deployments/cancel');
    expect(armOperation('GET', `${base}/Microsoft.ContainerInstance/containerGroups/g/containers/c/logs`)).toBe('GET containerGroups/containers/logs');
  });
});
