// The store's Lua scripts, one file per change, named `<what>-<key count>.lua` (every key is passed
// in KEYS, so each script works on Redis Cluster when its keys share a slot). ioredis sends them by
// SHA and loads them again when a restarted Redis has forgotten them.
import { readdirSync, readFileSync } from 'node:fs';
import type { RedisClient } from '../redis.js';
import { luaScript } from '../redis-script.js';

const DIR = new URL('./lua/', import.meta.url);

type Script = (...args: (string | number)[]) => Promise<unknown>;
export type StoreScripts = Record<'createRuns' | 'updateRun' | 'acquireSlot' | 'appendLogs' | 'purgeExpired', Script>;

/** Scripts whose last keys are optional get the key count as their first argument. */
const VARIABLE_KEYS = new Set(['updateRun', 'createRuns']);

const scripts = readdirSync(DIR)
  .filter((file) => file.endsWith('.lua'))
  .map((file) => {
    const [, name, keys] = /^(\w+)-(\d+)\.lua$/.exec(file)!;
    return { name, run: luaScript(name, VARIABLE_KEYS.has(name) ? undefined : Number(keys), readFileSync(new URL(file, DIR), 'utf8')) };
  });

export function storeScripts(redis: RedisClient): StoreScripts {
  return Object.fromEntries(scripts.map(({ name, run }) => [name, (...args: (string | number)[]) => run(redis, ...args)])) as StoreScripts;
}
