// The engine's inline Lua scripts go to Redis by SHA1, their text only when Redis does not know them yet.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { luaScript } from '../../src/redis-script.js';

const redis = new Redis(inject('redisUrl'));
const key = `redis-script-${crypto.randomUUID()}`;
afterAll(async () => {
  await redis.del(key);
  redis.disconnect();
});

describe('an inline Lua script', () => {
  it('is sent by its SHA, and as its text only when Redis does not know it yet', async () => {
    // A text no Redis has seen: the first EVALSHA meets NOSCRIPT.
    const lua = `-- ${key}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;
    const incr = luaScript(`testIncr${key.replaceAll('-', '')}`, 1, lua);
    const monitor = await new Redis(inject('redisUrl')).monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      const command = args[0].toLowerCase();
      if (args.includes(key) && command.startsWith('eval')) seen.push(command);
    });
    try {
      expect(await incr(redis, key, 2)).toBe(2);
      expect(await incr(redis, key, 3)).toBe(5);
      const sha = createHash('sha1').update(lua).digest('hex');
      expect(await redis.script('EXISTS', sha)).toEqual([1]);
      // MONITOR reports the commands Redis ran (not the first EVALSHA, refused with NOSCRIPT): the text
      // once, then the SHA. Wait until both have come (or fail after 5 s).
      const deadline = Date.now() + 5000;
      while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toEqual(['eval', 'evalsha']);
    } finally {
      monitor.disconnect();
    }
  });

  it('refuses a name already given to a script, or one the client has as a command', () => {
    const name = `testTwice${key.replaceAll('-', '')}`;
    luaScript(name, 0, 'return 1');
    expect(() => luaScript(name, 0, 'return 2')).toThrow(/taken/);
    expect(() => luaScript('get', 1, 'return 3')).toThrow(/taken/);
  });
});
