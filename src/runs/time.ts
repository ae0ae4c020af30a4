// One timestamp format everywhere (run history, log lines, events, API answers, the service's own logs):
// ISO 8601 in UTC with milliseconds, e.g. 2026-11-29T10:00:00.123Z.

/** Any time Azure or a clock gives (7 fraction digits, none, an epoch) as ISO 8601 with milliseconds. */
export function isoTime(value: string | number | Date = new Date()): string {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}
