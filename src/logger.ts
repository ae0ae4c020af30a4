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
