// What the emulator remembers, behind an interface so another backing (e.g. a file) can replace it.
import type { Lifecycle } from './aci/lifecycle.js';

export interface GroupRecord {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  identity?: Record<string, unknown>;
  zones?: string[];
  /** The properties as submitted, secrets included; they are stripped when serialised. */
  properties: Record<string, unknown>;
  lifecycle: Lifecycle;
  createdAt: number;
}

export interface ResourceOperation {
  operationId: string;
  resourceType: string;
  resourceName: string;
  resourceId: string;
  apiVersion: string;
  startedAt: number;
  state: 'Running' | 'Succeeded' | 'Failed';
  finishedAt?: number;
  error?: { code: string; message: string };
  /** For container groups: the group key the operation waits on. */
  groupKey?: string;
}

export interface DeploymentRecord {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  correlationId: string;
  createdAt: number;
  mode: string;
  templateHash: string;
  parameters: Record<string, { type: string; value?: unknown }>;
  templateLink?: { uri: unknown; contentVersion: unknown };
  state: 'Accepted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';
  finishedAt?: number;
  error?: Record<string, unknown>;
  operations: ResourceOperation[];
}

export interface AsyncOperation {
  id: string;
  kind: 'deployment' | 'deployment-delete' | 'group-create' | 'group-delete' | 'group-start';
  /** Store key of the deployment or group it follows. */
  target: string;
  createdAt: number;
  /** For deletes: when the operation reports Succeeded. */
  doneAt?: number;
}

export interface ResourceGroupRecord {
  subscriptionId: string;
  name: string;
  location: string;
}

export interface EmulatorStore {
  resourceGroup(subscriptionId: string, name: string): ResourceGroupRecord | undefined;
  putResourceGroup(group: ResourceGroupRecord): void;
  group(key: string): GroupRecord | undefined;
  groups(): GroupRecord[];
  putGroup(key: string, group: GroupRecord): void;
  deleteGroup(key: string): boolean;
  deployment(key: string): DeploymentRecord | undefined;
  deployments(): DeploymentRecord[];
  putDeployment(key: string, deployment: DeploymentRecord): void;
  deleteDeployment(key: string): boolean;
  operation(id: string): AsyncOperation | undefined;
  putOperation(op: AsyncOperation): void;
}

export const resourceKey = (subscriptionId: string, resourceGroup: string, name: string) =>
  `${subscriptionId}/${resourceGroup}/${name}`.toLowerCase();

export class MemoryStore implements EmulatorStore {
  private readonly resourceGroups = new Map<string, ResourceGroupRecord>();
  private readonly groupMap = new Map<string, GroupRecord>();
  private readonly deploymentMap = new Map<string, DeploymentRecord>();
  private readonly operations = new Map<string, AsyncOperation>();

  resourceGroup(subscriptionId: string, name: string) {
    return this.resourceGroups.get(`${subscriptionId}/${name}`.toLowerCase());
  }
  putResourceGroup(group: ResourceGroupRecord) {
    this.resourceGroups.set(`${group.subscriptionId}/${group.name}`.toLowerCase(), group);
  }
  group(key: string) {
    return this.groupMap.get(key);
  }
  groups() {
    return [...this.groupMap.values()];
  }
  putGroup(key: string, group: GroupRecord) {
    this.groupMap.set(key, group);
  }
  deleteGroup(key: string) {
    return this.groupMap.delete(key);
  }
  deployment(key: string) {
    return this.deploymentMap.get(key);
  }
  deployments() {
    return [...this.deploymentMap.values()];
  }
  putDeployment(key: string, deployment: DeploymentRecord) {
    this.deploymentMap.set(key, deployment);
  }
  deleteDeployment(key: string) {
    return this.deploymentMap.delete(key);
  }
  operation(id: string) {
    return this.operations.get(id);
  }
  putOperation(op: AsyncOperation) {
    this.operations.set(op.id, op);
  }
}
