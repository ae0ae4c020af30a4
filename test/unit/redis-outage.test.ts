import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isRedisUnreachable, RedisOutageReport, shownRedisUrl } from '../../src/redis-outage.js';

function capture() {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

describe('Redis outage report', () => {
  it('says it once, then at most once a minute, then once that Redis is back', () => {
    const { log, lines } = capture();
    let now = 0;
    const report = new RedisOutageReport(log, 'redis://:secret@127.0.0.1:6379', 60_000, () => now);
    for (now = 0; now < 60_000; now += 1000) report.noAnswer();
    expect(lines.map((l) => l.msg)).toEqual(['Redis is not answering at redis://:***@127.0.0.1:6379; waiting for it (said again at most once a minute)']);
    for (; now <= 150_000; now += 1000) report.noAnswer();
    expect(lines.map((l) => l.msg)).toEqual([
      expect.stringContaining('Redis is not answering'),
      'Redis is still not answering at redis://:***@127.0.0.1:6379 (for 60 s)',
      'Redis is still not answering at redis://:***@127.0.0.1:6379 (for 120 s)',
    ]);
    now = 150_000;
    report.answered();
    report.answered();
    expect(lines.at(-1)!.msg).toBe('Redis answers again at redis://:***@127.0.0.1:6379 (after 150 s)');
    expect(lines).toHaveLength(4);
    report.noAnswer();
    expect(lines.at(-1)!.msg).toMatch(/^Redis is not answering/);
    expect(lines.every((l) => !l.msg.includes('secret'))).toBe(true);
  });

  it('tells connection failures from other errors', () => {
    expect(isRedisUnreachable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRedisUnreachable(new Error('Connection is closed.'))).toBe(true);
    expect(isRedisUnreachable(new Error('ERR unknown command'))).toBe(false);
    expect(shownRedisUrl('redis://user:pw@host:1/0')).toBe('redis://user:***@host:1/0');
  });
});
