// The installation's identity, written into the instance tag of every container group it creates.
// Two installations sharing a Redis prefix are one installation; two with different prefixes (or
// different Redis servers) get different identities, so their sweepers never touch each other's
// groups. Unless SERVICE_INSTANCE names one, it is made once, kept in Redis and shared by every
// process of the installation.
import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis.js';
import type { Config } from './config.js';
import { waitForReady } from './redis.js';

export async function installationIdentity(redis: RedisClient, prefix: string): Promise<string> {
  // In the shared `{prefix}` slot with pools and the layout marker (see runs/keys.ts).
  const key = `{${prefix}}:instance`;
  const fresh = `aci-flow-runner-${randomBytes(6).toString('hex')}`;
  // SET NX then GET: whoever is first makes it; everyone reads the same one.
  await redis.set(key, fresh, 'NX');
  return (await redis.get(key)) ?? fresh;
}

/** The config with its instance identity settled (from SERVICE_INSTANCE, else from Redis). */
export async function withInstanceIdentity(config: Config, redis: RedisClient): Promise<Config> {
  if (config.serviceInstance) return config;
  await waitForReady(redis, 10_000);
  return { ...config, serviceInstance: await installationIdentity(redis, config.queuePrefix) };
}
