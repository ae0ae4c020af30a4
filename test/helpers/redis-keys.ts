// Tests delete the Redis keys of the prefix they used (on every master of a cluster).
import { Cluster, Redis } from 'ioredis';

/** Every key of a QUEUE_PREFIX: the shared tag {p}, the shard tags {p:n}, and plain p:… keys. */
export const prefixPatterns = (prefix: string) => [`{${prefix}}*`, `{${prefix}:*`, `${prefix}:*`];

async function scanDelete(node: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    // One key per DEL: on a cluster node, keys of different slots cannot go in one command.
    for (const key of keys) deleted += await node.del(key);
  } while (cursor !== '0');
  return deleted;
}

/** Deletes every key of `prefix`; returns how many there were. */
export async function deletePrefixKeys(redis: Redis | Cluster, prefix: string): Promise<number> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let deleted = 0;
  for (const node of nodes) for (const pattern of prefixPatterns(prefix)) deleted += await scanDelete(node, pattern);
  return deleted;
}

/** Opens a connection to `url`, deletes the prefix's keys, closes it. */
export async function cleanPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await deletePrefixKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Every key of `prefix` (single Redis) and its value, of every type, as text: to search for what must not be stored. */
export async function dumpPrefix(redis: Redis, prefix: string): Promise<string> {
  const parts: string[] = [];
  for (const pattern of prefixPatterns(prefix)) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        parts.push(key);
        const type = await redis.type(key);
        if (type === 'string') parts.push(String(await redis.get(key)));
        else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
        else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
    } while (cursor !== '0');
  }
  return parts.join('\n');
}

/** Keys of `prefix` whose name contains `text` (e.g. a flow run id). */
export async function keysContaining(redis: Redis | Cluster, prefix: string, text: string): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const found: string[] = [];
  for (const node of nodes) {
    for (const pattern of prefixPatterns(prefix)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        found.push(...keys.filter((k) => k.includes(text)));
      } while (cursor !== '0');
    }
  }
  return found;
}

/** Deletes every key under a test's queue prefix (tests clean up what they create). */
export async function dropKeys(redisUrl: string, prefix: string): Promise<void> {
  await cleanPrefix(redisUrl, prefix);
}
