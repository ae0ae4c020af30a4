import { stdTimeFunctions, type LoggerOptions } from 'pino';

/** Paths pino removes from every log line: credentials must never reach the logs. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.secret',
  '*.password',
  '*.key',
  '*.apiKey',
  '*.client_secret',
  '*.clientSecret',
  '*.secureValue',
  '*.subscription_id',
  '*.subscriptionId',
  '*.*.secret',
  '*.*.password',
  '*.*.key',
  '*.*.client_secret',
];

export function loggerOptions(level: string): LoggerOptions {
  // ISO 8601 with milliseconds, the one time format of the service (src/runs/time.ts).
  return { level, timestamp: stdTimeFunctions.isoTime, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
}

interface PinoLike {
  level: string;
  isLevelEnabled(level: string): boolean;
  child(bindings: Record<string, unknown>, options?: object): PinoLike;
  fatal(...args: unknown[]): void;
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  trace(...args: unknown[]): void;
}

/** A request's logger whose pino child is made on the first line written at an enabled level. */
class LazyRequestLogger {
  private made?: PinoLike;

  constructor(
    private readonly parent: PinoLike,
    private readonly bindings: Record<string, unknown>,
    private readonly options: object,
  ) {}

  get level(): string {
    return this.parent.level;
  }

  private real(): PinoLike {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  isLevelEnabled(level: string): boolean {
    return this.parent.isLevelEnabled(level);
  }

  child(bindings: Record<string, unknown>, options?: object): PinoLike {
    return this.real().child(bindings, options);
  }

  fatal(...args: unknown[]): void {
    if (this.parent.isLevelEnabled('fatal')) this.real().fatal(...args);
  }

  error(...args: unknown[]): void {
    if (this.parent.isLevelEnabled('error')) this.real().error(...args);
  }

  warn(...args: unknown[]): void {
    if (this.parent.isLevelEnabled('warn')) this.real().warn(...args);
  }

  info(...args: unknown[]): void {
    if (this.parent.isLevelEnabled('info')) this.real().info(...args);
  }

  debug(...args: unknown[]): void {
    if (this.parent.isLevelEnabled('debug')) this.real().debug(...args);
  }

  trace(...args: unknown[]): void {
    if (this.parent.isLevelEnabled('trace')) this.real().trace(...args);
  }
}

/**
 * Fastify's `childLoggerFactory`: at the usual `warn` most requests log nothing, so their pino child
 * (bindings serialized, redaction set up) is made only when one logs. A route with a level of its own
 * gets its child at once. Lines written are the child's own, request id included.
 */
export function lazyRequestLogger(this: unknown, logger: PinoLike, bindings: Record<string, unknown>, options: { level?: string }): PinoLike {
  if (options.level !== undefined) return logger.child(bindings, options);
  return new LazyRequestLogger(logger, bindings, options);
}
