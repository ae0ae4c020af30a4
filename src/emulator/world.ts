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
  /** Deployments kept per resource group before new ones are refused. */
  deploymentHistoryLimit: number;
}

export const DEFAULT_SETTINGS: EmulatorSettings = {
  defaultLocation: 'eastus',
  autoCreateResourceGroups: true,
  containerGroupQuota: 100,
  coreQuota: 100,
  createsPer5Minutes: 100,
  createsPerHour: 300,
  deploymentHistoryLimit: 800,
};

export interface World {
  store: EmulatorStore;
  clock: Clock;
  faults: Faults;
  settings: EmulatorSettings;
  /** https://127.0.0.1:PORT, for absolute LRO URLs. */
  baseUrl(): string;
  /** Creation times of container groups per subscription, for the create-rate quota. */
  creates: Map<string, number[]>;
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
