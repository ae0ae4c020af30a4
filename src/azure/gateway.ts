// The few ARM and ACI calls a run needs, with Azure's answers reduced to what the steps read.
import type { AzureClients } from './clients.js';
import { classifyAzureError } from './errors.js';

export interface DeploymentStatus {
  state: string;
  error?: { code: string; message: string };
}

export interface GroupStatus {
  provisioningState?: string;
  groupState?: string;
  containerName: string;
  containerState?: string;
  exitCode?: number;
  detailStatus?: string;
}

/** The call's answer, or undefined when Azure says the resource does not exist. */
async function unlessMissing<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (classifyAzureError(err).kind === 'not-found') return undefined;
    throw err;
  }
}

interface ErrorTree {
  code?: string;
  message?: string;
  details?: ErrorTree[];
}

/** The innermost error: Azure nests the resource provider's cause under DeploymentFailed. */
function deepest(error: ErrorTree | undefined): { code: string; message: string } | undefined {
  if (!error) return undefined;
  for (const detail of error.details ?? []) {
    const inner = deepest(detail);
    if (inner) return inner;
  }
  return error.code ? { code: error.code, message: error.message ?? '' } : undefined;
}

export class AzureGateway {
  constructor(private readonly clients: AzureClients) {}

  get principal() {
    return this.clients.principal;
  }

  async deployment(rg: string, name: string): Promise<DeploymentStatus | undefined> {
    const d = await unlessMissing(() => this.clients.resources.deployments.get(rg, name));
    return d && { state: d.properties?.provisioningState ?? 'Unknown', error: deepest(d.properties?.error as ErrorTree | undefined) };
  }

  /** The failing operation's own error, which is what a user needs to see. */
  async deploymentFailure(rg: string, name: string): Promise<{ code: string; message: string } | undefined> {
    for await (const op of this.clients.resources.deploymentOperations.list(rg, name)) {
      const status = op.properties?.statusMessage as { error?: ErrorTree } | undefined;
      const cause = deepest(status?.error);
      if (op.properties?.provisioningState === 'Failed' && cause) return cause;
    }
    return (await this.deployment(rg, name))?.error;
  }

  /** Sends the PUT; does not wait for the deployment (the provision step follows it). */
  async startDeployment(rg: string, name: string, body: unknown): Promise<void> {
    try {
      await this.clients.resources.deployments.beginCreateOrUpdate(rg, name, body as never);
    } catch (err) {
      // The PUT was accepted but the SDK's first status poll already saw the deployment fail: the
      // provision step reads why from the deployment itself.
      const { statusCode, message } = err as { statusCode?: number; message?: string };
      if (statusCode === undefined && /long-running operation has failed|operation was canceled/i.test(message ?? '')) return;
      // Already deploying under this name (a GET that did not see it yet): that is our deployment.
      const failure = classifyAzureError(err);
      if (failure.kind === 'final' && failure.code === 'DeploymentActive') return;
      throw err;
    }
  }

  /** Cancels a running deployment; a finished or missing one is left as it is. */
  async cancelDeployment(rg: string, name: string): Promise<void> {
    try {
      await this.clients.resources.deployments.cancel(rg, name);
    } catch (err) {
      const failure = classifyAzureError(err);
      if (failure.kind === 'not-found' || (failure.kind === 'final' && failure.code === 'DeploymentCannotBeCancelled')) return;
      throw err;
    }
  }

  async deleteDeployment(rg: string, name: string): Promise<void> {
    await unlessMissing(() => this.clients.resources.deployments.beginDelete(rg, name));
  }

  async group(rg: string, name: string): Promise<GroupStatus | undefined> {
    const g = await unlessMissing(() => this.clients.aci.containerGroups.get(rg, name));
    if (!g) return undefined;
    const container = g.containers[0];
    const state = container?.instanceView?.currentState;
    return {
      provisioningState: g.provisioningState,
      groupState: g.instanceView?.state,
      containerName: container?.name ?? '',
      containerState: state?.state,
      exitCode: state?.exitCode,
      detailStatus: state?.detailStatus,
    };
  }

  /** Names and tags of the resource group's container groups (one paged read). */
  async groups(rg: string): Promise<{ name: string; tags: Record<string, string> }[]> {
    const found: { name: string; tags: Record<string, string> }[] = [];
    for await (const g of this.clients.aci.containerGroups.listByResourceGroup(rg)) found.push({ name: g.name ?? '', tags: g.tags ?? {} });
    return found;
  }

  async logs(rg: string, group: string, container: string, tail?: number): Promise<string> {
    const result = await this.clients.aci.containers.listLogs(rg, group, container, { timestamps: true, ...(tail ? { tail } : {}) });
    return result.content ?? '';
  }

  /** Stops the group (a missing group needs no stopping). */
  async stopGroup(rg: string, name: string): Promise<void> {
    await unlessMissing(() => this.clients.aci.containerGroups.stop(rg, name));
  }

  /** Starts deleting the group; its absence is confirmed by later reads. */
  async deleteGroup(rg: string, name: string): Promise<void> {
    await unlessMissing(() => this.clients.aci.containerGroups.beginDelete(rg, name));
  }
}
