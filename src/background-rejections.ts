// A rejection nobody awaits must not end a service process. The Azure SDK's token cycler starts a background
// refresh of a token it still holds and does not await it (@azure/core-rest-pipeline, tokenCycler: "if we SHOULD
// refresh, run refresh but don't return it"); once the cached token expires, that refresh rejects with the
// credential's error and, when no call is waiting on it at that moment, nothing handles the rejection. Node's
// default would then kill the worker in the middle of its runs. The run that meets the refusal reports it
// (CRASHED, or shown while RUNNING); the process logs the rejection once per message a minute and goes on.
import type { Logger } from 'pino';

const QUIET_MS = 60_000;

export function reportUnhandledRejections(log: Logger, now: () => number = Date.now): () => void {
  const lastSaid = new Map<string, number>();
  const handler = (reason: unknown) => {
    const message = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    const key = message.slice(0, 200);
    const at = lastSaid.get(key);
    if (at !== undefined && now() - at < QUIET_MS) return;
    if (lastSaid.size > 1_000) lastSaid.clear();
    lastSaid.set(key, now());
    log.error({ err: reason }, 'unhandled rejection in a background task; the process keeps running');
  };
  process.on('unhandledRejection', handler);
  return () => process.off('unhandledRejection', handler);
}
