// The service with the built-in emulator as its Azure, in one process (the demo and the benchmark).
import type { Logger } from 'pino';
import { loadConfigWith } from './config.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from './emulator/server.js';
import { startRuntime } from './runtime.js';

/** The service's settings that send its Azure calls to an emulator (any principal works against its Entra). */
export function emulatorEnv(emulator: RunningEmulator): Record<string, string> {
  return {
    AZURE_ARM_ENDPOINT: emulator.url,
    AZURE_AUTHORITY_HOST: emulator.url,
    AZURE_CA_CERT_FILE: emulator.caPath,
    AZURE_TENANT_ID: 'emulated-tenant',
    AZURE_CLIENT_ID: 'aci-flow-runner',
    AZURE_CLIENT_SECRET: 'emulated-secret',
  };
}

export async function startWithEmulator(options: {
  emulator: EmulatorOptions;
  /** Settings the caller fixes (the environment cannot change them). */
  env: Record<string, string>;
  /** Settings the environment may override. */
  defaults: Record<string, string>;
  log: Logger;
}) {
  const emulator = await startEmulator(options.emulator);
  const config = loadConfigWith({ ...emulatorEnv(emulator), ...options.env }, options.defaults);
  const runtime = await startRuntime(config, 'all', options.log);
  return {
    emulator,
    config,
    runtime,
    async close() {
      await runtime.close();
      await emulator.close();
    },
  };
}
