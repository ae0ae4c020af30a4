// Generates openapi.yaml from the route schemas (npm run openapi); a test compares it with the committed file.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { Redis } from 'ioredis';
import { createServices } from './services.js';

export const OPENAPI_PATH = fileURLToPath(new URL('../openapi.yaml', import.meta.url));

/** The OpenAPI document as YAML, built from the app's routes. Needs no running Redis, and writes nothing to one. */
export async function renderOpenApi(): Promise<string> {
  const config = loadConfig({ AUTH_DISABLED: 'true', LOG_LEVEL: 'silent' });
  const redis = new Redis(config.redisUrl, { lazyConnect: true });
  const services = createServices(config, redis, { writesQueueMeta: false });
  const app = await buildApp({ config, redis, ...services });
  try {
    await app.ready();
    return app.swagger({ yaml: true });
  } finally {
    await app.close();
    await services.queue.close();
    redis.disconnect();
  }
}

export async function writeOpenApi(): Promise<string> {
  await writeFile(OPENAPI_PATH, await renderOpenApi());
  return OPENAPI_PATH;
}
