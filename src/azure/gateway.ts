// The few ARM and ACI calls a run needs, with Azure's answers reduced to what the steps read.
// Every call is bounded: it ends after `timeoutMs` or as soon as the step's signal aborts (a kill or
// a shutdown), so a silently dropped connection never holds a step, its worker slot or a kill.
import type { AzureClients } from './clients.js';
import { classifyAzureError, innermost as deepest, type ErrorTree } from './errors.js';
import { armWrite } from './raw-write.js';

export interface CallBounds {
  timeoutMs: number;
  /** The job's abort signal: aborted by a kill aimed at the run or by the worker shutting down. */
  signal?: AbortSignal;
}

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
  /** How often Azure started the container again; with previousState, the first run's end. */
  restartCount: number;
  previousState?: string;
  previousExitCode?: number;
  previousDetailStatus?: string;
  /** Azure's Warning events for the container (newest last), e.g. why it waits or failed. */
  warnings: string[];
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

export class AzureGateway {
  constructor(
    private readonly clients: AzureClients,
    private readonly bounds: CallBounds = { timeoutMs: 30_000 },
  ) {}

  get principal() {
    return this.clients.principal;
  }

  /** The key of this principal's ARM budget (pacing.ts). */
  get budgetKey() {
    return this.clients.budgetKey;
  }

  /** A fresh signal per call: the call's own timeout, or the step's abort, whichever comes first. */
  private abortSignal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.bounds.timeoutMs);
    return this.bounds.signal ? AbortSignal.any([this.bounds.signal, timeout]) : timeout;
  }

  private get options() {
    return { abortSignal: this.abortSignal() };
  }

  /**
   * One request, bounded as abortSignal() says, whose timer is cleared as soon as it answers: a watch
   * loop makes many calls a second, and a timeout signal per call would stay alive for the whole
   * AZURE_CALL_TIMEOUT_MS after each (memory of a worker following thousands of runs).
   */
  private async bounded<T>(call: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('The Azure call timed out.', 'TimeoutError')), this.bounds.timeoutMs);
    const outer = this.bounds.signal;
    const onAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) onAbort();
    else outer?.addEventListener('abort', onAbort, { once: true });
    try {
      return await call({ abortSignal: controller.signal });
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  private deploymentPath = (rg: string, name: string) =>
    `/resourcegroups/${encodeURIComponent(rg)}/providers/Microsoft.Resources/deployments/${encodeURIComponent(name)}`;

  async deployment(rg: string, name: string): Promise<DeploymentStatus | undefined> {
    const d = await unlessMissing(() => this.bounded((o) => this.clients.resources.deployments.get(rg, name, o)));
    return d && { state: d.properties?.provisioningState ?? 'Unknown', error: deepest(d.properties?.error as ErrorTree | undefined) };
  }

  /** The failing operation's own error, which is what a user needs to see. */
  async deploymentFailure(rg: string, name: string): Promise<{ code: string; message: string } | undefined> {
    for await (const op of this.clients.resources.deploymentOperations.list(rg, name, this.options)) {
      const status = op.properties?.statusMessage as { error?: ErrorTree } | undefined;
      const cause = deepest(status?.error);
      if (op.properties?.provisioningState === 'Failed' && cause) return cause;
    }
    return (await this.deployment(rg, name))?.error;
  }

  /** Whether the deployment dispatched a create of this container group that has not finished. */
  async groupCreateInFlight(rg: string, deployment: string, group: string): Promise<boolean> {
    try {
      for await (const op of this.clients.resources.deploymentOperations.list(rg, deployment, this.options)) {
        const target = op.properties?.targetResource;
        if (target?.resourceType?.toLowerCase() !== 'microsoft.containerinstance/containergroups' || target.resourceName?.toLowerCase() !== group.toLowerCase()) continue;
        if (!['Succeeded', 'Failed'].includes(op.properties?.provisioningState ?? '')) return true;
      }
      return false;
    } catch (err) {
      if (classifyAzureError(err).kind === 'not-found') return false;
      throw err;
    }
  }

  /** Sends the PUT and nothing else: the provision step reads the deployment afterwards. */
  async startDeployment(rg: string, name: string, body: unknown): Promise<void> {
    try {
      await armWrite(this.clients.endpoint, this.clients.resources, 'PUT', this.deploymentPath(rg, name), body, this.abortSignal());
    } catch (err) {
      // Already deploying under this name (a GET that did not see it yet): that is our deployment.
      const failure = classifyAzureError(err);
      if (failure.kind === 'final' && failure.code === 'DeploymentActive') return;
      throw err;
    }
  }

  /** Cancels a running deployment; a finished or missing one is left as it is. */
  async cancelDeployment(rg: string, name: string): Promise<void> {
    try {
      await this.clients.resources.deployments.cancel(rg, name, this.options);
    } catch (err) {
      const failure = classifyAzureError(err);
      if (failure.kind === 'not-found' || (failure.kind === 'final' && failure.code === 'DeploymentCannotBeCancelled')) return;
      throw err;
    }
  }

  /** Sends the DELETE of the deployment record, without waiting for ARM to finish it. */
  async deleteDeployment(rg: string, name: string): Promise<void> {
    await unlessMissing(() => armWrite(this.clients.endpoint, this.clients.resources, 'DELETE', this.deploymentPath(rg, name), undefined, this.abortSignal()));
  }

  async group(rg: string, name: string): Promise<GroupStatus | undefined> {
    const g = await unlessMissing(() => this.bounded((o) => this.clients.aci.containerGroups.get(rg, name, o)));
    if (!g) return undefined;
    const container = g.containers[0];
    const view = container?.instanceView;
    const state = view?.currentState;
    return {
      provisioningState: g.provisioningState,
      groupState: g.instanceView?.state,
      containerName: container?.name ?? '',
      containerState: state?.state,
      exitCode: state?.exitCode,
      detailStatus: state?.detailStatus,
      restartCount: view?.restartCount ?? 0,
      previousState: view?.previousState?.state,
      previousExitCode: view?.previousState?.exitCode,
      previousDetailStatus: view?.previousState?.detailStatus,
      warnings: (view?.events ?? []).filter((e) => e.type === 'Warning' && e.message).map((e) => e.message!),
    };
  }

  /** Names and tags of the resource group's container groups (one paged read). */
  async groups(rg: string): Promise<{ name: string; tags: Record<string, string> }[]> {
    const found: { name: string; tags: Record<string, string> }[] = [];
    for await (const g of this.clients.aci.containerGroups.listByResourceGroup(rg, this.options)) found.push({ name: g.name ?? '', tags: g.tags ?? {} });
    return found;
  }

  async logs(rg: string, group: string, container: string, tail?: number): Promise<string> {
    const result = await this.bounded((o) => this.clients.aci.containers.listLogs(rg, group, container, { timestamps: true, ...(tail ? { tail } : {}), ...o }));
    return result.content ?? '';
  }

  /** Stops the group (a missing group needs no stopping). */
  async stopGroup(rg: string, name: string): Promise<void> {
    await unlessMissing(() => this.clients.aci.containerGroups.stop(rg, name, this.options));
  }

  /** Sends the group's DELETE; no status poll follows (cleanup's next read, or the sweeper, confirms). */
  async deleteGroup(rg: string, name: string): Promise<void> {
    const path = `/resourceGroups/${encodeURIComponent(rg)}/providers/Microsoft.ContainerInstance/containerGroups/${encodeURIComponent(name)}`;
    await unlessMissing(() => armWrite(this.clients.endpoint, this.clients.aci, 'DELETE', path, undefined, this.abortSignal()));
  }
}
