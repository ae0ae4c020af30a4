// The orphan sweeper: a container group this service made (its instance tag says so) whose run is
// unknown or finished and cleaned up is deleted. It catches what a lost Redis or a group created
// after its run ended would otherwise leave running, and billed, for ever.
import type { Logger } from 'pino';
import type { AzureClientCache } from '../azure/clients.js';
import { AzureGateway } from '../azure/gateway.js';
import { isTerminal } from '../runs/model.js';
import type { RunStore } from '../runs/store.js';
import { OWNER_TAGS } from '../templating/prepare.js';
import type { ReadPacer } from './pacing.js';

export interface SweepContext {
  store: RunStore;
  clients: AzureClientCache;
  pacer: ReadPacer;
  log: Logger;
  serviceInstance: string;
  azureCallTimeoutMs: number;
}

export async function sweepOrphans(ctx: SweepContext): Promise<string[]> {
  const deleted: string[] = [];
  for (const scope of await ctx.store.scopes()) {
    const azure = new AzureGateway(ctx.clients.for(scope.credentials, scope.subscription_id), { timeoutMs: ctx.azureCallTimeoutMs });
    if ((await ctx.pacer.take(azure.principal, 1, 'watch')) > 0) continue; // no budget now: next sweep
    const rg = scope.resource_group_name;
    let groups: { name: string; tags: Record<string, string> }[];
    try {
      groups = await azure.groups(rg);
    } catch (err) {
      ctx.log.warn({ err, resourceGroup: rg }, 'orphan sweep could not list container groups');
      continue;
    }
    for (const group of groups) {
      if (group.tags[OWNER_TAGS.instance] !== ctx.serviceInstance) continue;
      const runId = group.tags[OWNER_TAGS.flowRunId];
      const run = runId ? await ctx.store.get(runId) : undefined;
      // A run past its retention left a tombstone: a group it kept on purpose is still not an orphan.
      const tombstone = !run && runId ? await ctx.store.tombstone(runId) : undefined;
      const orphan = run ? isTerminal(run.state) && run.cleanup?.state === 'done' : tombstone?.cleanup !== 'kept';
      if (!orphan) continue;
      await azure.deleteGroup(rg, group.name);
      deleted.push(group.name);
      ctx.log.warn({ group: group.name, resourceGroup: rg, runId }, 'deleted an orphaned container group');
    }
  }
  return deleted;
}
