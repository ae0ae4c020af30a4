// Everything the emulator's handlers share.
import type { Clock } from './clock.js';
import type { Faults } from './faults.js';
import type { EmulatorStore } from './store.js';
import { ArmError } from './http.js';

export interface EmulatorSettings {
  /** Location of resource groups created on first use. */
  defaultLocation: string;
  /** When false, only resource groups created through the control endpoint exist. */
  autoCreateResourceGroups: boolean;
  /** ACI quotas per subscription and region. */
  containerGroupQuota: number;
  coreQuota: number;
  createsPer5Minutes: number;
  createsPerHour: number;
  /** ACI's delete quota per subscription (the same as for creates). */
  deletesPer5Minutes: number;
  deletesPerHour: number;
  /** Deployments kept per resource group. Past 7/8 of it ARM deletes the oldest finished ones
   *  down to 3/4 (700 → 600 of 800); only a history full of active deployments refuses a new one. */
  deploymentHistoryLimit: number;
  /** ARM's token buckets per subscription, principal and kind (and 15× for the whole subscription). */
  readsPerSecond: number;
  readBurst: number;
  writesPerSecond: number;
  writeBurst: number;
  deletesPerSecond: number;
  deleteBurst: number;
  /** Largest container group of the standard SKU (Linux and Windows, with or without a network). */
  maxCpu: number;
  maxMemoryInGB: number;
  /** What ACI keeps of a container's output: 16 KB or 1,000 lines once it stopped, 4 MB while it runs. */
  stoppedLogBytes: number;
  stoppedLogLines: number;
  runningLogBytes: number;
  /** GPU SKUs still offered; ACI's GPU offering was retired on 2025-07-14, so none by default. */
  gpuSkus: string[];
  /** Real seconds an Entra token lives; short lives make clients ask for tokens often (credential faults bite). */
  tokenLifetimeSeconds: number;
}

export const DEFAULT_SETTINGS: EmulatorSettings = {
  defaultLocation: 'eastus',
  autoCreateResourceGroups: true,
  containerGroupQuota: 100,
  coreQuota: 100,
  createsPer5Minutes: 100,
  createsPerHour: 300,
  deletesPer5Minutes: 100,
  deletesPerHour: 300,
  deploymentHistoryLimit: 800,
  readsPerSecond: 25,
  readBurst: 250,
  writesPerSecond: 10,
  writeBurst: 200,
  deletesPerSecond: 10,
  deleteBurst: 200,
  maxCpu: 31,
  maxMemoryInGB: 240,
  stoppedLogBytes: 16 * 1024,
  stoppedLogLines: 1000,
  runningLogBytes: 4 * 1024 * 1024,
  gpuSkus: [],
  tokenLifetimeSeconds: 3599,
};

/** Checks a partial settings object (from EMULATOR_SETTINGS or startEmulator), naming what is wrong. */
export function checkSettings(input: Record<string, unknown>): Partial<EmulatorSettings> {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (!(key in DEFAULT_SETTINGS)) problems.push(`unknown setting '${key}'`);
    else {
      const expected = DEFAULT_SETTINGS[key as keyof EmulatorSettings];
      const ok =
        typeof expected === 'number'
          ? typeof value === 'number' && Number.isFinite(value) && value >= 0
          : Array.isArray(expected)
            ? Array.isArray(value) && value.every((v) => typeof v === 'string')
            : typeof value === typeof expected;
      if (!ok) problems.push(`'${key}' must be ${Array.isArray(expected) ? 'an array of strings' : typeof expected === 'number' ? 'a number >= 0' : `a ${typeof expected}`}`);
    }
  }
  if (problems.length > 0) throw new Error(`Emulator settings: ${problems.join('; ')}.`);
  return input as Partial<EmulatorSettings>;
}

export interface World {
  store: EmulatorStore;
  clock: Clock;
  faults: Faults;
  settings: EmulatorSettings;
  /** https://127.0.0.1:PORT, for absolute LRO URLs. */
  baseUrl(): string;
  /** Creation and deletion times of container groups per subscription, for ACI's rate quotas. */
  creates: Map<string, number[]>;
  deletes: Map<string, number[]>;
  /** Container groups whose creation ARM dispatched but which do not exist yet (late-create). */
  pendingCreates: Map<string, { appearsAt: number; create: () => void }>;
  /** Templates served for `templateLink.uri` (the emulator cannot download them). */
  templateLinks: Map<string, Record<string, unknown>>;
}

export function requireResourceGroup(world: World, subscriptionId: string, name: string) {
  const existing = world.store.resourceGroup(subscriptionId, name);
  if (existing) return existing;
  if (!world.settings.autoCreateResourceGroups) {
    throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
  }
  const created = { subscriptionId, name, location: world.settings.defaultLocation };
  world.store.putResourceGroup(created);
  return created;
}
