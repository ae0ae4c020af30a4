// Housekeeping runs on one worker at a time; the installation identity is made once per installation.
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startHousekeeper, type Housekeeper } from '../../src/execution/housekeeper.js';
import { installationIdentity } from '../../src/instance-identity.js';
import { call } from '../helpers/emulator.js';
import { dropKeys, RESOURCE_GROUP, startService } from '../helpers/service.js';

const redis = new Redis(inject('redisUrl'));
const prefixes: string[] = [];
const fresh = () => {
  const prefix = `hk-${crypto.randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  return prefix;
};
afterAll(async () => {
  for (const prefix of prefixes) await dropKeys(redis, prefix);
  await redis.quit();
});

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('the housekeeping lease', () => {
  it('lets one worker at a time sweep, and another take over when it dies', async () => {
    const prefix = fresh();
    let running = 0;
    let most = 0;
    const sweptBy = new Set<string>();
    const keepers: Housekeeper[] = [];
    const chore = (who: () => string) => ({
      name: 'sweep',
      intervalMs: 20,
      run: async () => {
        running++;
        most = Math.max(most, running);
        sweptBy.add(who());
        await new Promise((resolve) => setTimeout(resolve, 30));
        running--;
      },
    });
    for (let i = 0; i < 3; i++) {
      const keeper: Housekeeper = startHousekeeper(redis, prefix, 400, [chore(() => keeper.id)], pino({ level: 'silent' }));
      keepers.push(keeper);
    }
    await until(() => keepers.some((k) => k.isHolder()));
    const first = keepers.find((k) => k.isHolder())!;
    // Watch for a while: never two holders, and only the holder sweeps.
    for (let i = 0; i < 30; i++) {
      expect(keepers.filter((k) => k.isHolder()).length).toBeLessThanOrEqual(1);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect([...sweptBy]).toEqual([first.id]);
    // The holder dies without giving the lease back: another takes over once the lease runs out.
    await first.close(false);
    await until(() => keepers.some((k) => k !== first && k.isHolder()));
    const second = keepers.find((k) => k.isHolder())!;
    await until(() => sweptBy.has(second.id));
    expect(most).toBe(1);
    for (const k of keepers) await k.close();
  });
});

describe('the installation identity', () => {
  it('is made once per installation and shared by its processes; another installation gets another', async () => {
    const one = fresh();
    const [a, b] = await Promise.all([installationIdentity(redis, one), installationIdentity(redis, one)]);
    expect(a).toBe(b);
    expect(a).toMatch(/^aci-flow-runner-[0-9a-f]{12}$/);
    expect(await installationIdentity(redis, fresh())).not.toBe(a);
  });
});

describe('the orphan sweeper', () => {
  it('leaves a group alone until it has been a candidate for the minimum age', async () => {
    const h = await startService({ env: { SWEEP_MIN_AGE_MS: '3600000' } });
    try {
      const path = `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ContainerInstance/containerGroups/young-orphan`;
      const tags = { 'aci-flow-runner.instance': h.config.serviceInstance, 'aci-flow-runner.flow-run-id': crypto.randomUUID() };
      const container = { name: 'c', properties: { image: 'busybox', command: ['sh', '-c', 'sleep 100000'], resources: { requests: { cpu: 1, memoryInGB: 1 } } } };
      await call(h.emulator, 'PUT', path, { location: 'eastus', tags, properties: { osType: 'Linux', containers: [container] } });
      // The sweeper needs a scope to look in: one run in that resource group makes one.
      await h.app.inject({ method: 'POST', url: '/runs', headers: { authorization: 'Bearer test-admin-key-0001' }, payload: { flow_run: { id: crypto.randomUUID(), name: 'x' }, flow: { name: 'f' }, job_variables: { resource_group_name: RESOURCE_GROUP, subscription_id: '00000000-0000-0000-0000-000000000001', image: 'python:3.12-slim', entrypoint: null, command: 'sh -c "exit 0"' } } });
      expect(await h.worker!.sweep()).toEqual({ deleted: [], adopted: [] });
      expect(await h.worker!.sweep()).toEqual({ deleted: [], adopted: [] });
      const seen = await redis.hkeys(`${h.config.queuePrefix}:sweep-seen`);
      expect(seen.some((k) => k.endsWith('/young-orphan'))).toBe(true);
    } finally {
      await h.close();
    }
  });
});
