import type { LoggerOptions } from 'pino';

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
  return { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
}
