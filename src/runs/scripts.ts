// The store's Lua scripts, one file per change, named `<what>-<key count>.lua` (every key is passed
// in KEYS, so each script works on Redis Cluster when its keys share a slot). ioredis sends them by
// SHA and loads them again when a restarted Redis has forgotten them.
import { readdirSync, readFileSync } from 'node:fs';
import type { RedisClient } from '../redis.js';

const DIR = new URL('./lua/', import.meta.url);

type Script = (...args: (string | number)[]) => Promise<unknown>;
export type StoreScripts = Record<'createRuns' | 'updateRun' | 'acquireSlot' | 'appendLogs' | 'purgeExpired', Script>;

const sources = readdirSync(DIR)
  .filter((file) => file.endsWith('.lua'))
  .map((file) => {
    const [, name, keys] = /^(\w+)-(\d+)\.lua$/.exec(file)!;
    return { name, keys: Number(keys), lua: readFileSync(new URL(file, DIR), 'utf8') };
  });

/** Scripts whose last keys are optional get the key count as their first argument. */
const VARIABLE_KEYS = new Set(['updateRun', 'createRuns']);

const defined = new WeakSet<object>();

export function storeScripts(redis: RedisClient): StoreScripts {
  if (!defined.has(redis)) {
    for (const { name, keys, lua } of sources) {
      redis.defineCommand(name, VARIABLE_KEYS.has(name) ? { lua } : { numberOfKeys: keys, lua });
    }
    defined.add(redis);
  }
  const commands = redis as unknown as Record<string, Script>;
  return Object.fromEntries(sources.map(({ name }) => [name, (...args: (string | number)[]) => commands[name].call(redis, ...args)])) as StoreScripts;
}
