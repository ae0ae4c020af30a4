import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/logger.js';

describe('log redaction', () => {
  it('removes the Authorization header and anything called secret, password or key', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });
    const log = pino(loggerOptions('info'), sink);
    log.info({ req: { headers: { authorization: 'Bearer top-secret-key' } } }, 'request');
    log.info({ registry: { password: 'hunter2' }, sp: { client_secret: 'sp-secret' }, api: { key: 'k-123' } }, 'config');
    expect(out).not.toMatch(/top-secret-key|hunter2|sp-secret|k-123/);
    expect(out.match(/\[redacted\]/g)?.length).toBe(4);
  });
});

describe('log time', () => {
  it('stamps every line in ISO 8601 with milliseconds, the format of run history and log lines', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });
    pino(loggerOptions('info'), sink).info('hello');
    expect(JSON.parse(out).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
