import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';

export const ADMIN_KEY = 'test-admin-key-0001';
export const READER_KEY = 'test-reader-key-0002';

/** A config for tests: real Redis, a fresh queue prefix, two keys (all scopes / runs:read only). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: `t-${randomUUID().slice(0, 8)}`,
    API_KEYS: `${ADMIN_KEY},${READER_KEY}=runs:read`,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export const auth = (key = ADMIN_KEY) => ({ authorization: `Bearer ${key}` });
