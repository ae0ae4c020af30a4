import { describe, expect, it } from 'vitest';
import { newLines, parseLogContent } from '../../src/execution/log-lines.js';

const content = [
  '2026-01-01T00:00:01.0000000Z one',
  '2026-01-01T00:00:01.0000000Z two (same timestamp)',
  '',
  'not-a-timestamp junk',
  '2026-01-01T00:00:02.5000000Z three  with  spaces',
].join('\n');

describe('log lines', () => {
  it('parses timestamped lines and skips blanks and junk', () => {
    expect(parseLogContent(content)).toEqual([
      { ts: '2026-01-01T00:00:01.0000000Z', line: 'one' },
      { ts: '2026-01-01T00:00:01.0000000Z', line: 'two (same timestamp)' },
      { ts: '2026-01-01T00:00:02.5000000Z', line: 'three  with  spaces' },
    ]);
  });

  it('keeps lines that share a timestamp and never repeats one', () => {
    const all = parseLogContent(content);
    const firstRead = newLines(all.slice(0, 1), undefined);
    expect(firstRead.lines.map((l) => l.line)).toEqual(['one']);
    const secondRead = newLines(all, firstRead.cursor);
    expect(secondRead.lines.map((l) => l.line)).toEqual(['two (same timestamp)', 'three  with  spaces']);
    expect(newLines(all, secondRead.cursor).lines).toEqual([]);
  });

  it('picks up after a tail window that dropped older lines', () => {
    const all = parseLogContent(content);
    const { cursor } = newLines(all.slice(0, 2), undefined);
    expect(newLines(all.slice(1), cursor).lines.map((l) => l.line)).toEqual(['three  with  spaces']);
  });
});
