// Inline Lua scripts, sent by their SHA1 (EVALSHA) instead of as text on every call. ioredis sends the
// text again when Redis answers NOSCRIPT (a restarted Redis, SCRIPT FLUSH, a cluster node that has not
// seen it yet). Used for the store's scripts (files, src/runs/scripts.ts) and the engine's inline ones.
import { Redis } from 'ioredis';
import type { RedisClient } from './redis.js';

type Command = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/** Names given to scripts in this process. */
const registered = new Set<string>();

/**
 * A script: `run(redis, ...keys, ...args)`; without `numberOfKeys` (a script whose key count varies), the
 * caller passes the count first: `run(redis, count, ...keys, ...args)`. `name` must be unique in the
 * process (it becomes a command of the client).
 */
export function luaScript(name: string, numberOfKeys: number | undefined, lua: string) {
  // A second script under a taken name would run the first one's text on clients that defined it.
  if (registered.has(name) || name in Redis.prototype) throw new Error(`Lua script name "${name}" is taken`);
  registered.add(name);
  return (redis: RedisClient, ...keysAndArgs: (string | number)[]): Promise<unknown> => {
    const commands = redis as unknown as Record<string, Command | undefined>;
    // Defined on a client at its first use; the client keeps it for its life.
    if (!commands[name]) redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { numberOfKeys, lua });
    return commands[name]!(...keysAndArgs);
  };
}
