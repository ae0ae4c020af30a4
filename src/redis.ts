import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A single Redis or a Redis Cluster: everything that talks to Redis accepts either. */
export type RedisClient = Redis | Cluster;

/** Redis Cluster seed nodes (REDIS_CLUSTER_NODES); absent for a single Redis at the URL. */
export type ClusterNodes = { host: string; port: number }[] | undefined;

const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2000);

/**
 * One connection: an ioredis Cluster client when cluster nodes are given (every key the service
 * uses carries a hash tag, see src/runs/keys.ts), else a single Redis at the URL.
 */
function connect(url: string, nodes: ClusterNodes, given: RedisOptions, clusterOptions: ClusterOptions = {}): RedisClient {
  // A socket that failed to connect never closes again: ioredis would hold the process 2 s on disconnect.
  const options = { disconnectTimeout: 200, ...given };
  if (!nodes) return new Redis(url, options);
  const { username, password, protocol } = new URL(url);
  return new Cluster(nodes, {
    ...clusterOptions,
    clusterRetryStrategy: retryStrategy,
    redisOptions: {
      ...options,
      ...(username ? { username: decodeURIComponent(username) } : {}),
      ...(password ? { password: decodeURIComponent(password) } : {}),
      ...(protocol === 'rediss:' ? { tls: {} } : {}),
    },
  });
}

/**
 * For the API side: commands fail fast when Redis is away instead of queueing forever,
 * so requests get a clear 503 rather than hanging.
 */
export function producerConnection(url: string, nodes?: ClusterNodes): RedisClient {
  const autoPipelining = process.env.AUTO_PIPELINING === 'true';
  const redis = connect(url, nodes, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, retryStrategy, enableAutoPipelining: autoPipelining }, { enableOfflineQueue: false, maxRedirections: 16, enableAutoPipelining: autoPipelining });
  redis.on('error', () => {
    // Reported through /readyz and failing requests; ioredis reconnects on its own.
  });
  return redis;
}

/** For BullMQ workers and blocking reads: wait for Redis to come back (BullMQ requires this). */
export function workerConnection(url: string, nodes?: ClusterNodes): RedisClient {
  const redis = connect(url, nodes, { maxRetriesPerRequest: null, retryStrategy });
  redis.on('error', () => {
    // BullMQ's own listeners report the outage; reconnection is automatic.
  });
  return redis;
}

/** Waits (bounded) for a fresh connection to be ready, so the first requests do not fail fast. */
export async function waitForReady(redis: RedisClient, timeoutMs: number): Promise<void> {
  // 'wait' (lazy) and 'end' (closed) connections will not become ready by waiting.
  if (redis.status === 'ready' || redis.status === 'wait' || redis.status === 'end') return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      redis.off('end', done);
      resolve();
    };
    // Unref'd: a connection closed while reconnecting emits no 'end', and this wait must not hold the process.
    const timer = setTimeout(done, timeoutMs).unref();
    redis.once('ready', done);
    // Closed while waiting (shutdown): it will not become ready.
    redis.once('end', done);
  });
}

/** True when Redis answers PING within the timeout. */
export async function redisAnswers(redis: RedisClient, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs).unref();
  });
  try {
    // A connection still (re)connecting gets the same budget to become ready before we ping.
    const ping = waitForReady(redis, timeoutMs).then(() => redis.ping());
    return await Promise.race([ping.then((r) => r === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Closes a connection whatever its state; safe to call twice. */
export async function closeConnection(redis: RedisClient): Promise<void> {
  if (redis.status === 'end') return;
  // QUIT would wait for a Redis that does not answer (a waiting connection queues it): drop the socket.
  if (redis.status !== 'ready') return void redis.disconnect();
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
