// New log lines from ACI's `timestamps=true` output: nothing twice, nothing skipped.
// Unlike Prefect, lines that share a timestamp are all kept: the cursor counts them.
import type { LogLine } from '../runs/store.js';

export interface LogCursor {
  ts: string;
  /** Lines already taken whose timestamp equals ts. */
  atTs: number;
}

export function parseLogContent(content: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const raw of content.split('\n')) {
    if (!raw.trim()) continue;
    const space = raw.indexOf(' ');
    const ts = space > 0 ? raw.slice(0, space) : raw;
    if (Number.isNaN(Date.parse(ts))) continue;
    lines.push({ ts, line: space > 0 ? raw.slice(space + 1) : '' });
  }
  return lines;
}

/** Lines after the cursor, and the cursor after them. Timestamps of one source sort as strings. */
export function newLines(all: LogLine[], cursor: LogCursor | undefined): { lines: LogLine[]; cursor: LogCursor | undefined } {
  const fresh: LogLine[] = [];
  let next = cursor ? { ...cursor } : undefined;
  let skipAtTs = cursor?.atTs ?? 0;
  for (const line of all) {
    if (cursor && line.ts < cursor.ts) continue;
    if (cursor && line.ts === cursor.ts && skipAtTs > 0) {
      skipAtTs--;
      continue;
    }
    fresh.push(line);
    next = next && next.ts === line.ts ? { ts: line.ts, atTs: next.atTs + 1 } : { ts: line.ts, atTs: 1 };
  }
  return { lines: fresh, cursor: next };
}
