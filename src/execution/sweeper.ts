// The orphan sweeper, run by the housekeeping worker only (housekeeper.ts). In every resource group
// runs have used, it lists the container groups carrying this installation's instance tag and, once
// a group has been a candidate for at least the minimum age (so a run being created is never
// mistaken for an orphan): adopts a group whose run Redis does not know (adoption.ts), and deletes a
// group whose run is known, final and cleaned up. Groups of other installations or without our tag
// are never touched.
import type { RedisClient } from '../redis.js';
import type { Logger } from 'pino';
import type { AzureClientCache } from '../azure/clients.js';
import { AzureGateway } from '../azure/gateway.js';
import type { RunStore } from '../runs/store.js';
import { OWNER_TAGS } from '../templating/prepare.js';
import { adoptedRun, fateOf } from './adoption.js';
import type { ArmBudget } from './pacing.js';

export interface SweepContext {
  store: RunStore;
  clients: AzureClientCache;
  pacer: ArmBudget;
  log: Logger;
  serviceInstance: string;
  azureCallTimeoutMs: number;
  redis: RedisClient;
  prefix: string;
  /** A group is acted on only after it has been a candidate this long (SWEEP_MIN_AGE_MS). */
  minAgeMs: number;
  /** Starts following an adopted run (enqueues its job). */
  follow: (runId: string) => Promise<void>;
}

export interface SweepResult {
  deleted: string[];
  adopted: string[];
}

/** The sweeper's list read yields to every step; it waits for its slot, at most this long. */
const MAX_SLOT_WAIT_MS = 60_000;

export async function sweepOrphans(ctx: SweepContext): Promise<SweepResult> {
  const result: SweepResult = { deleted: [], adopted: [] };
  const seenKey = `${ctx.prefix}:sweep-seen`;
  const [seconds] = await ctx.redis.time();
  const now = Number(seconds) * 1000;
  const seen = await ctx.redis.hgetall(seenKey);
  const candidates = new Set<string>();
  const acted: string[] = [];
  for (const scope of await ctx.store.scopes()) {
    const azure = new AzureGateway(ctx.clients.for(scope.credentials, scope.subscription_id), { timeoutMs: ctx.azureCallTimeoutMs });
    // Lowest priority on the principal's read schedule: a sweep is never skipped, only later.
    const wait = await ctx.pacer.reserve(azure.budgetKey, { read: 1 }, 'cleanup');
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, MAX_SLOT_WAIT_MS)));
    const rg = scope.resource_group_name;
    let groups: { name: string; tags: Record<string, string> }[];
    try {
      groups = (await azure.groups(rg)).filter((g) => g.tags[OWNER_TAGS.instance] === ctx.serviceInstance && g.tags[OWNER_TAGS.flowRunId]);
    } catch (err) {
      ctx.log.warn({ err, resourceGroup: rg }, 'orphan sweep could not list container groups');
      continue;
    }
    // The runs of the resource group's groups, looked up together (and, for runs past their
    // retention, their tombstones: a group kept on purpose is still not an orphan).
    const runs = await ctx.store.getMany(groups.map((g) => g.tags[OWNER_TAGS.flowRunId].toLowerCase()));
    const tombstones = await Promise.all(groups.map((g, i) => (runs[i] ? undefined : ctx.store.tombstone(g.tags[OWNER_TAGS.flowRunId].toLowerCase()))));
    for (const [i, group] of groups.entries()) {
      const fate = fateOf(runs[i], tombstones[i]);
      if (fate === 'keep') continue;
      const key = `${scope.subscription_id}/${rg}/${group.name}`;
      candidates.add(key);
      const since = seen[key] ? Number(seen[key]) : now;
      if (!seen[key]) await ctx.redis.hset(seenKey, key, String(now));
      if (now - since < ctx.minAgeMs) continue;
      const runId = group.tags[OWNER_TAGS.flowRunId].toLowerCase();
      if (fate === 'adopt') {
        const { run, spec } = adoptedRun(group, scope, azure.budgetKey);
        if ((await ctx.store.create(run, spec)).kind === 'created') {
          await ctx.follow(run.id);
          result.adopted.push(group.name);
          ctx.log.warn({ group: group.name, resourceGroup: rg, runId }, 'adopted a container group whose run was unknown');
        }
      } else {
        await ctx.pacer.charge(azure.budgetKey, { delete: 1, groupDelete: 1 }, 'cleanup');
        await azure.deleteGroup(rg, group.name);
        result.deleted.push(group.name);
        ctx.log.warn({ group: group.name, resourceGroup: rg, runId }, 'deleted the container group of a finished run');
      }
      candidates.delete(key);
      acted.push(key);
    }
  }
  // Forget groups that were acted on or are no longer candidates.
  const forget = [...Object.keys(seen).filter((key) => !candidates.has(key)), ...acted];
  if (forget.length) await ctx.redis.hdel(seenKey, ...forget);
  return result;
}
