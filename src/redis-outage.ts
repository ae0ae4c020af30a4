// Redis not answering, told to the operator without flooding the log: once when it starts, then at
// most once a minute while it lasts, and once when Redis answers again.
import type { Logger } from 'pino';

export const OUTAGE_REPORT_INTERVAL_MS = 60_000;

/** The URL without its password, for log lines. */
export function shownRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

/** Errors that only say Redis cannot be reached (ioredis and BullMQ report them again on every retry). */
export function isRedisUnreachable(err: unknown): boolean {
  const error = err as { code?: string; message?: string; name?: string } | undefined;
  if (!error) return false;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(error.code ?? '')) return true;
  return error.name === 'MaxRetriesPerRequestError' || /Connection is closed|connect ECONNREFUSED|connect ETIMEDOUT|Stream isn't writeable/.test(error.message ?? '');
}

export class RedisOutageReport {
  private since: number | undefined;
  private lastReport = 0;
  private repeats = 0;

  constructor(
    private readonly log: Logger,
    private readonly url: string,
    private readonly everyMs = OUTAGE_REPORT_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get down(): boolean {
    return this.since !== undefined;
  }

  /** Redis did not answer (again). Logs the first time, then at most once per interval. */
  noAnswer(detail?: string): void {
    const now = this.now();
    if (this.since === undefined) {
      this.since = now;
      this.lastReport = now;
      this.repeats = 0;
      this.log.error({ redis: shownRedisUrl(this.url), detail }, `Redis is not answering at ${shownRedisUrl(this.url)}; waiting for it (said again at most once a minute)`);
      return;
    }
    this.repeats++;
    if (now - this.lastReport < this.everyMs) {
      this.log.debug({ failures: this.repeats }, 'Redis did not answer again (reported at most once a minute)');
      return;
    }
    this.lastReport = now;
    const seconds = Math.round((now - this.since) / 1000);
    this.log.error({ redis: shownRedisUrl(this.url), detail, downSeconds: seconds, failures: this.repeats }, `Redis is still not answering at ${shownRedisUrl(this.url)} (for ${seconds} s)`);
  }

  /** Redis answers: says so if it had been reported down. */
  answered(): void {
    if (this.since === undefined) return;
    const seconds = Math.round((this.now() - this.since) / 1000);
    this.since = undefined;
    this.log.warn({ redis: shownRedisUrl(this.url), downSeconds: seconds }, `Redis answers again at ${shownRedisUrl(this.url)} (after ${seconds} s)`);
  }
}
