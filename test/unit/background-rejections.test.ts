import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { reportUnhandledRejections } from '../../src/background-rejections.js';

function captured() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  return { log: pino({ level: 'info' }, stream), lines };
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('rejections nobody awaits', () => {
  it('are logged, at most once a minute per message, and do not end the process', async () => {
    let clock = 0;
    const { log, lines } = captured();
    stop = reportUnhandledRejections(log, () => clock);
    const refusal = () => Object.assign(new Error('AADSTS7000222: the client secret has expired'), { name: 'AuthenticationRequiredError' });
    // What the SDK's token cycler does: a refresh it started and never awaited rejects.
    void Promise.reject(refusal());
    void Promise.reject(refusal());
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0].msg).toBe('unhandled rejection in a background task; the process keeps running');
    expect(JSON.stringify(lines[0].err)).toContain('AADSTS7000222');
    clock = 61_000;
    void Promise.reject(refusal());
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(2);
  });
});
