const root = process.argv[2] || '/work/wt/issue8';
const { loadConfig } = await import(root + '/dist/config.js');
const { producerConnection } = await import(root + '/dist/redis.js');
const { createServices } = await import(root + '/dist/services.js');
const { Queue } = await import('bullmq');
const { randomUUID } = await import('node:crypto');
const prefix = 'sb' + randomUUID().slice(0, 6);
const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', API_KEYS: 'xxxxxxxxxx', QUEUE_PREFIX: prefix });
const redis = producerConnection(config.redisUrl);
const { waitForReady } = await import(root + '/dist/redis.js'); await waitForReady(redis, 5000);
const s = createServices(config, redis);
const body = () => ({ flow_run: { id: randomUUID(), name: 'bench' }, flow: { name: 'bench-flow' }, job_variables: { resource_group_name: 'bench-rg', subscription_id: '00000000-0000-0000-0000-00000000beef', command: 'sh -c "echo hi"', entrypoint: null } });
const q = new Queue('runs', { connection: redis, prefix: `{${prefix}-bare}` });
async function measure(label, fn, n = 3000, conc = 50) {
  for (let i = 0; i < 300; i += conc) await Promise.all(Array.from({ length: conc }, fn));
  const t0 = process.cpuUsage(); const w0 = Date.now();
  for (let i = 0; i < n; i += conc) await Promise.all(Array.from({ length: conc }, fn));
  const t = process.cpuUsage(t0);
  console.log(`${label}: ${((t.user + t.system) / n).toFixed(0)} µs CPU/req, wall ${(Date.now() - w0)} ms for ${n}`);
}
await measure('submit', () => s.runs.submit(body()));
await measure('bare', async () => { const b = body(); await redis.set(`{${prefix}-bare}:run:${b.flow_run.id}`, JSON.stringify(b)); await q.add('run', { runId: b.flow_run.id }, { jobId: b.flow_run.id }); });
await measure('submit', () => s.runs.submit(body()));
await measure('bare', async () => { const b = body(); await redis.set(`{${prefix}-bare}:run:${b.flow_run.id}`, JSON.stringify(b)); await q.add('run', { runId: b.flow_run.id }, { jobId: b.flow_run.id }); });
// cleanup
for (const pat of [`{${prefix}}*`, `{${prefix}:*`, `{${prefix}-bare}*`]) { let c = '0'; do { const [n, k] = await redis.scan(c, 'MATCH', pat, 'COUNT', 1000); c = n; if (k.length) await redis.unlink(...k); } while (c !== '0'); }
process.exit(0);
