#!/usr/bin/env node
// CLI entry: `node dist/main.js [api|worker|all|emulator|demo|bench|openapi]`.
import { parseArgs } from 'node:util';
import pino, { type Logger } from 'pino';
import { reportUnhandledRejections } from './background-rejections.js';
import { isCommand, usage } from './cli-help.js';
import { ConfigError, loadConfig, loadEmulatorConfig, parseRole } from './config.js';
import { loggerOptions } from './logger.js';
import { StartupStopped } from './redis-wait.js';
import { startRuntime, type Runtime } from './runtime.js';

/**
 * SIGTERM/SIGINT close in order; a second signal exits at once. `close` resolves true when it had to leave
 * something behind (Redis clients still retrying a Redis that is away): the process then exits by itself.
 */
function closeOnSignals(log: Logger, close: () => Promise<boolean | void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    close().then(
      (leftBehind) => {
        log.info('stopped');
        // Otherwise the process ends on its own once everything is closed (tests check that nothing is left open).
        if (leftBehind === true) setTimeout(() => process.exit(), 200).unref();
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv.slice(2), allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage()}`);
    process.exit(2);
  }
  const [command, ...extra] = parsed.positionals;
  if (command !== undefined && !isCommand(command)) {
    process.stderr.write(`Unknown command "${command}".\n\n${usage()}`);
    process.exit(2);
  }
  if (parsed.values.help) {
    process.stdout.write(usage(command));
    return;
  }
  if (extra.length > 0) {
    process.stderr.write(`Unexpected argument "${extra[0]}".\n\n${usage()}`);
    process.exit(2);
  }
  if (command === 'openapi') {
    const { writeOpenApi } = await import('./openapi-file.js');
    process.stdout.write(`wrote ${await writeOpenApi()}\n`);
    return;
  }
  if (command === 'bench') {
    const { runBench } = await import('./bench.js');
    await runBench();
    return;
  }
  if (command === 'bench-api') {
    const { runApiBench } = await import('./bench/api.js');
    await runApiBench();
    return;
  }
  if (command === 'bench-bare') {
    // The baseline server of bench-api (run as a child process by it).
    const { startBareRoute } = await import('./bench/bare-route.js');
    await startBareRoute();
    return;
  }
  if (command === 'bench-intake') {
    // A worker's intake alone (run as a child process by bench-api).
    const { startIntakeProcess } = await import('./bench/intake-process.js');
    await startIntakeProcess();
    return;
  }
  if (command === 'emulator') {
    const { startEmulator } = await import('./emulator/server.js');
    const settings = loadEmulatorConfig();
    const emulator = await startEmulator(settings);
    process.stdout.write(
      `ARM/ACI/Entra emulator listening on ${emulator.url} (time scale ${settings.timeScale})\n` +
        `CA certificate: ${emulator.caPath}\n` +
        `Point the service at it: AZURE_ARM_ENDPOINT=${emulator.url} AZURE_AUTHORITY_HOST=${emulator.url} AZURE_CA_CERT_FILE=${emulator.caPath}\n` +
        `Control endpoint: ${emulator.url}/_emulator/counters\n`,
    );
    closeOnSignals(pino(loggerOptions('warn')), () => emulator.close());
    return;
  }
  if (command === 'demo') {
    const { startDemo } = await import('./demo.js');
    const { RedisServerMissing } = await import('./demo-redis.js');
    const log = pino(loggerOptions('warn'));
    let demo;
    try {
      demo = await startDemo(log);
    } catch (err) {
      if (!(err instanceof RedisServerMissing)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    closeOnSignals(log, () => demo.close());
    reportUnhandledRejections(log);
    return;
  }
  const role = parseRole(command);
  const config = loadConfig();
  const log = pino(loggerOptions(config.logLevel));
  if (config.authDisabled) {
    log.warn('AUTH_DISABLED=true: the API accepts requests WITHOUT any API key. Never do this outside a laptop.');
  }
  reportUnhandledRejections(log);
  // Signals are heard from the start: a process still waiting for Redis stops at once.
  const startup = new AbortController();
  let runtime: Runtime | undefined;
  let starting: Promise<unknown> = Promise.resolve();
  closeOnSignals(log, async () => {
    startup.abort();
    await starting.catch(() => undefined);
    await runtime?.close();
    return runtime?.abandonedRedis ?? false;
  });
  starting = startRuntime(config, role, log, startup.signal);
  try {
    runtime = (await starting) as Runtime;
  } catch (err) {
    if (err instanceof StartupStopped) return;
    throw err;
  }
  log.info({ role, port: role === 'worker' ? undefined : config.port }, 'aci-flow-runner started');
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`configuration error: ${err.message}\n`);
  } else {
    process.stderr.write(`start-up failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exit(1);
});
