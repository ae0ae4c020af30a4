// The emulator's Azure behaviours beyond the happy path, each driven through the control endpoint
// (or a setting) from outside, as any test of the service drives them.
import { ClientSecretCredential } from '@azure/identity';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { defaultBaseJobTemplate } from '../../src/templating/base-job-template.js';
import { renderFlowRun } from '../../src/templating/render.js';
import { SUBSCRIPTION, call, sdkClients, withEmulator } from '../helpers/emulator.js';

const RG = 'rg-faults';
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await withEmulator();
});
afterAll(async () => emulator.close());
afterEach(async () => {
  await call(emulator, 'DELETE', '/_emulator/faults');
});

function deploymentFor(command: string, flow = 'faults') {
  return renderFlowRun({
    baseJobTemplate: defaultBaseJobTemplate(),
    flowRunJobVariables: { resource_group_name: RG, subscription_id: SUBSCRIPTION, command, image: 'python:3.12-slim', entrypoint: null },
    defaultImage: 'unused',
    context: { flowRun: { id: crypto.randomUUID(), name: 'r' }, flow: { name: flow }, workPoolName: 'default', serviceInstance: 'test', baseEnv: {}, secretEnvNames: [] },
  });
}

const deploymentPath = (e: RunningEmulator, name: string, rg = RG) => `/subscriptions/${SUBSCRIPTION}/resourcegroups/${rg}/providers/Microsoft.Resources/deployments/${name}?api-version=2025-03-01`;
const groupPath = (name: string, rg = RG) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.ContainerInstance/containerGroups/${name}?api-version=2023-05-01`;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met; last value: ${JSON.stringify(value).slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

const fault = (rule: Record<string, unknown>) => call(emulator, 'POST', '/_emulator/faults', rule);
const getGroup = (name: string, e = emulator) => call(e, 'GET', groupPath(name)).then((r) => r.body);
const container = (g: any) => g.properties.containers[0].properties.instanceView;
async function logsOf(name: string, e = emulator): Promise<string> {
  const g = await getGroup(name, e);
  const res = await call(e, 'GET', groupPath(name).replace('?', `/containers/${g.properties.containers[0].name}/logs?`));
  return res.body.content;
}

async function deploy(command: string, e = emulator) {
  const run = deploymentFor(command);
  const res = await call(e, 'PUT', deploymentPath(e, run.deploymentName), run.deployment);
  return { run, res };
}

describe('fault rules are checked when posted', () => {
  it.each([
    [{ kind: 'restart-after-exit', share: 1 }, 'afterSeconds'],
    [{ kind: 'create-failure', share: 1, code: 'X', at: 'later' }, 'at'],
    [{ kind: 'create-failure', share: 1, code: 'X', at: 'validation', recovers: true }, 'recover'],
    [{ kind: 'credential', share: 1, clientId: 'c', reason: 'lost' }, 'reason'],
    [{ kind: 'policy-deny', share: 1 }, 'policyName'],
    [{ kind: 'repair', group: 'g', outcome: 'maybe' }, 'outcome'],
    [{ kind: 'late-create', share: 2, delaySeconds: 1 }, 'share'],
    [{ kind: 'teleport', share: 1 }, 'kind'],
  ])('%j is refused naming %s', async (rule, field) => {
    const res = await fault(rule);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('InvalidFault');
    expect(res.body.error.message).toContain(field);
  });
});

describe('restart-after-exit', () => {
  it('restarts a container that exited non-zero under restartPolicy Never, as Azure may', async () => {
    await fault({ kind: 'restart-after-exit', share: 1, afterSeconds: 20, exitCode: 0 });
    const { run } = await deploy('sh -c "echo first; sleep 5; exit 3"');
    const exited = await until(() => getGroup(run.containerGroupName), (g) => g.properties?.containers && container(g).currentState?.state === 'Terminated');
    expect(container(exited).currentState.exitCode).toBe(3);
    expect(exited.properties.instanceView.state).toBe('Failed');
    const again = await until(() => getGroup(run.containerGroupName), (g) => container(g).restartCount === 1);
    expect(container(again).previousState).toMatchObject({ state: 'Terminated', exitCode: 3 });
    expect(['Running', 'Terminated']).toContain(container(again).currentState.state);
    const done = await until(() => getGroup(run.containerGroupName), (g) => container(g).currentState?.state === 'Terminated');
    expect(container(done).currentState.exitCode).toBe(0);
    expect(done.properties.instanceView.state).toBe('Succeeded');
    // Only the restarted instance's output is left.
    expect((await logsOf(run.containerGroupName)).trim().split('\n')).toHaveLength(1);
    const counters = (await call(emulator, 'GET', '/_emulator/counters')).body;
    expect(counters.injected['restart-after-exit']).toBeGreaterThanOrEqual(1);
  });

  it('is drawn only on non-zero exits', async () => {
    await fault({ kind: 'restart-after-exit', share: 1, afterSeconds: 1, limit: 1 });
    const { run } = await deploy('sh -c "echo fine; exit 0"');
    const done = await until(() => getGroup(run.containerGroupName), (g) => g.properties?.containers && container(g).currentState?.state === 'Terminated');
    await new Promise((r) => setTimeout(r, 100)); // 10 emulated seconds: a wrong restart would show by now
    expect(container(await getGroup(run.containerGroupName)).restartCount).toBe(0);
    expect(container(done).currentState.exitCode).toBe(0);
  });
});

describe('create-failure', () => {
  it('at validation: 400 InvalidTemplateDeployment with the cause in details[], nothing stored; limit counts injections', async () => {
    await fault({ kind: 'create-failure', share: 1, limit: 1, code: 'ContainerGroupQuotaReached', message: 'quota reached', at: 'validation' });
    const { run, res } = await deploy('sh -c "exit 0"');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('InvalidTemplateDeployment');
    expect(res.body.error.details[0]).toMatchObject({ code: 'ContainerGroupQuotaReached', message: 'quota reached' });
    expect((await call(emulator, 'GET', deploymentPath(emulator, run.deploymentName))).status).toBe(404);
    const again = await call(emulator, 'PUT', deploymentPath(emulator, run.deploymentName), run.deployment);
    expect(again.status).toBe(201);
  });

  it('at deployment: the deployment fails, the group is left Failed, and with recovers it later runs', async () => {
    await fault({ kind: 'create-failure', share: 1, limit: 1, code: 'RegistryErrorResponse', message: 'registry busy, please retry later', at: 'deployment', recovers: true, recoverSeconds: 30 });
    const { run } = await deploy('sh -c "echo ok; sleep 5; exit 0"');
    const d = await until(() => call(emulator, 'GET', deploymentPath(emulator, run.deploymentName)).then((r) => r.body), (b) => b.properties.provisioningState !== 'Running' && b.properties.provisioningState !== 'Accepted');
    expect(d.properties.provisioningState).toBe('Failed');
    expect(JSON.stringify(d.properties.error)).toContain('RegistryErrorResponse');
    const failed = await getGroup(run.containerGroupName);
    expect(failed.properties.provisioningState).toBe('Failed');
    expect(failed.properties.instanceView.state).toBe('Failed');
    const recovered = await until(() => getGroup(run.containerGroupName), (g) => g.properties.provisioningState === 'Succeeded');
    expect(['Running', 'Succeeded']).toContain(recovered.properties.instanceView.state);
  });
});

describe('late-create', () => {
  it('the group appears after its deployment was cancelled', async () => {
    await fault({ kind: 'late-create', share: 1, limit: 1, delaySeconds: 30 });
    const { run, res } = await deploy('sh -c "sleep 100"');
    expect(res.status).toBe(201);
    expect((await call(emulator, 'GET', groupPath(run.containerGroupName))).status).toBe(404);
    expect((await call(emulator, 'POST', deploymentPath(emulator, run.deploymentName).replace('?', '/cancel?'))).status).toBe(204);
    const state = await until(() => call(emulator, 'GET', groupPath(run.containerGroupName)), (r) => r.status === 200);
    expect(state.body.name).toBe(run.containerGroupName);
    const d = (await call(emulator, 'GET', deploymentPath(emulator, run.deploymentName))).body;
    expect(d.properties.provisioningState).toBe('Canceled');
  });
});

describe('policy-deny', () => {
  it('403 RequestDisallowedByPolicy naming the policy', async () => {
    await fault({ kind: 'policy-deny', share: 1, limit: 1, policyName: 'no-public-containers' });
    const { run, res } = await deploy('sh -c "exit 0"');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('RequestDisallowedByPolicy');
    expect(res.body.error.message).toContain('no-public-containers');
    expect(res.body.error.additionalInfo[0]).toMatchObject({ type: 'PolicyViolation', info: { policyAssignmentName: 'no-public-containers' } });
    expect((await call(emulator, 'GET', deploymentPath(emulator, run.deploymentName))).status).toBe(404);
  });
});

describe('repair', () => {
  it.each([
    ['running', 'Succeeded', 1],
    ['failed', 'Failed', 0],
  ])('outcome %s: Unhealthy → Repairing → %s', async (outcome, finalState, restarts) => {
    const { run } = await deploy('sh -c "echo up; sleep 300"');
    await until(() => getGroup(run.containerGroupName), (g) => g.properties?.containers && container(g).currentState?.state === 'Running');
    expect((await fault({ kind: 'repair', group: run.containerGroupName, outcome, unhealthySeconds: 30, repairingSeconds: 30 })).status).toBe(201);
    const seen = new Set<string>();
    const end = await until(
      () => getGroup(run.containerGroupName),
      (g) => {
        seen.add(g.properties.provisioningState);
        return g.properties.provisioningState === finalState;
      },
    );
    expect(seen.has('Unhealthy') || seen.has('Repairing')).toBe(true);
    expect(container(end).restartCount).toBe(restarts);
    expect(container(end).events.map((e: any) => e.name)).toContain('Unhealthy');
    if (outcome === 'failed') expect(end.properties.instanceView.state).toBe('Failed');
    else expect(container(end).currentState.state).toBe('Running');
  });

  it('a group that does not exist cannot be repaired', async () => {
    expect((await fault({ kind: 'repair', group: 'nothing-here', outcome: 'running' })).status).toBe(404);
  });
});

describe('credential', () => {
  const token = (clientId: string, secret: string) =>
    new ClientSecretCredential('cred-tenant', clientId, secret, { authorityHost: emulator.url, disableInstanceDiscovery: true, tlsOptions: { ca: emulator.caCert } }).getToken(
      'https://management.azure.com/.default',
    );

  it.each([
    ['expired', 'AADSTS7000222'],
    ['wrong-secret', 'AADSTS7000215'],
  ])('%s: Entra answers %s and @azure/identity throws AuthenticationRequiredError', async (reason, code) => {
    await fault({ kind: 'credential', share: 1, clientId: `client-${reason}`, reason });
    const error = await token(`client-${reason}`, 'any-secret').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).toBe('AuthenticationRequiredError');
    expect(error?.message).toContain(code);
    // Other clients are not affected.
    expect((await token('someone-else', 'any-secret')).token).toBeTruthy();
  });

  it('registered principals: only they get tokens, and only with their secret', async () => {
    expect((await call(emulator, 'PUT', '/_emulator/principals', { tenantId: 'cred-tenant', clientId: 'known', clientSecret: 'right' })).status).toBe(204);
    try {
      expect((await token('known', 'right')).token).toBeTruthy();
      await expect(token('known', 'wrong')).rejects.toThrow(/AADSTS7000215/);
      await expect(token('stranger', 'right')).rejects.toThrow(/AADSTS700016/);
    } finally {
      await call(emulator, 'DELETE', '/_emulator/principals');
    }
  });
});

describe('settings', () => {
  it('unknown or mistyped settings are refused', async () => {
    await expect(withEmulator({ settings: { maxCpus: 4 } as never })).rejects.toThrow(/unknown setting 'maxCpus'/);
    await expect(withEmulator({ settings: { stoppedLogLines: '5' } as never })).rejects.toThrow(/stoppedLogLines/);
  });

  it('log caps: a stopped container keeps its newest lines within stoppedLogLines / stoppedLogBytes', async () => {
    const small = await withEmulator({ settings: { stoppedLogLines: 5, stoppedLogBytes: 1000, runningLogBytes: 60 } });
    try {
      const lines = Array.from({ length: 20 }, (_, i) => `echo line-${String(i).padStart(2, '0')}`).join('; ');
      const { run } = await deploy(`sh -c "${lines}; sleep 10; exit 0"`, small);
      await until(() => getGroup(run.containerGroupName, small), (g) => g.properties?.containers && container(g).currentState?.state === 'Running');
      const running = (await logsOf(run.containerGroupName, small)).trim().split('\n');
      expect(running.join('\n').length + 1).toBeLessThanOrEqual(60); // the 4 MB window, scaled down
      expect(running.at(-1)).toBe('line-19');
      await until(() => getGroup(run.containerGroupName, small), (g) => container(g).currentState?.state === 'Terminated');
      expect((await logsOf(run.containerGroupName, small)).trim().split('\n')).toEqual(['line-15', 'line-16', 'line-17', 'line-18', 'line-19']);
    } finally {
      await small.close();
    }
  });

  it('ACI deletes are throttled like creates (deletesPer5Minutes)', async () => {
    const strict = await withEmulator({ settings: { deletesPer5Minutes: 1 } });
    try {
      const { run } = await deploy('sh -c "sleep 100"', strict);
      const second = await deploy('sh -c "sleep 100"', strict);
      await until(() => call(strict, 'GET', groupPath(second.run.containerGroupName)), (r) => r.status === 200);
      expect((await call(strict, 'DELETE', groupPath(run.containerGroupName))).status).toBe(202);
      const refused = await call(strict, 'DELETE', groupPath(second.run.containerGroupName));
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('ResourceRequestsThrottled');
      expect(refused.headers['retry-after']).toBe('60');
    } finally {
      await strict.close();
    }
  });

  it('ARM token buckets come from readsPerSecond / readBurst', async () => {
    const strict = await withEmulator({ settings: { readBurst: 2, readsPerSecond: 0.5 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(strict, 'GET', groupPath('nothing'))).status);
      expect(statuses).toEqual([404, 404, 429]);
    } finally {
      await strict.close();
    }
  });

  it('deployment history: ARM deletes the oldest finished deployments past 7/8 of the limit, down to 3/4', async () => {
    const small = await withEmulator({ settings: { deploymentHistoryLimit: 8 } });
    try {
      const { resources } = sdkClients(small);
      const names: string[] = [];
      for (let i = 0; i < 9; i++) {
        const { run } = await deploy('sh -c "exit 0"', small);
        names.push(run.deploymentName);
        await until(() => call(small, 'GET', deploymentPath(small, run.deploymentName)).then((r) => r.body.properties.provisioningState), (s) => s === 'Succeeded');
      }
      const kept: string[] = [];
      for await (const d of resources.deployments.listByResourceGroup(RG)) kept.push(d.name!);
      // The 9th PUT found 8 (> 7/8 of 8), trimmed the oldest down to 6 and added itself.
      expect(kept.sort()).toEqual(names.slice(2).sort());
    } finally {
      await small.close();
    }
  });
});

describe('deployment delete', () => {
  it('answers 202 with a Location that says 202 until done, then 204; the SDK waits on it', async () => {
    const { run } = await deploy('sh -c "exit 0"');
    await until(() => call(emulator, 'GET', deploymentPath(emulator, run.deploymentName)).then((r) => r.body.properties.provisioningState), (s) => s === 'Succeeded');
    const res = await call(emulator, 'DELETE', deploymentPath(emulator, run.deploymentName));
    expect(res.status).toBe(202);
    const location = String(res.headers.location);
    expect(location).toMatch(/\/operationresults\//);
    const end = await until(() => call(emulator, 'GET', new URL(location).pathname + new URL(location).search), (r) => r.status !== 202);
    expect(end.status).toBe(204);

    const other = await deploy('sh -c "exit 0"');
    const { resources } = sdkClients(emulator);
    await until(() => call(emulator, 'GET', deploymentPath(emulator, other.run.deploymentName)).then((r) => r.body.properties.provisioningState), (s) => s === 'Succeeded');
    await resources.deployments.beginDeleteAndWait(RG, other.run.deploymentName, { updateIntervalInMs: 10 });
    expect((await call(emulator, 'GET', deploymentPath(emulator, other.run.deploymentName))).status).toBe(404);
  });
});
