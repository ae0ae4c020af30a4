import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { lazyRequestLogger, loggerOptions } from '../../src/logger.js';

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

describe("a request's logger (lazyRequestLogger)", () => {
  function sinkOf() {
    const sink = { out: '', stream: undefined as unknown as Writable };
    sink.stream = new Writable({
      write(chunk, _encoding, done) {
        sink.out += chunk.toString();
        done();
      },
    });
    return sink;
  }
  const linesIn = (out: string) => out.split('\n').filter(Boolean).map((l) => JSON.parse(l));

  it('makes its pino child only when it writes at an enabled level, and writes as the child', () => {
    const sink = sinkOf();
    const parent = pino(loggerOptions('warn'), sink.stream);
    const children: unknown[] = [];
    const spy = Object.create(parent, {
      child: { value: (bindings: Record<string, unknown>, options: object) => (children.push(bindings), parent.child(bindings, options)) },
    });
    const log = lazyRequestLogger(spy, { reqId: 'req-42' }, {});
    log.info('not written at warn');
    log.debug('nor this');
    expect(children).toEqual([]);
    log.warn({ sp: { client_secret: 'sp-secret' } }, 'written');
    log.error('and this');
    expect(children).toEqual([{ reqId: 'req-42' }]);
    const lines = linesIn(sink.out);
    expect(lines.map((l) => [l.msg, l.reqId, l.level])).toEqual([['written', 'req-42', 40], ['and this', 'req-42', 50]]);
    expect(sink.out).not.toContain('sp-secret');
  });

  it("in Fastify: every line of a request carries its id", async () => {
    const sink = sinkOf();
    const app = Fastify({ logger: { ...loggerOptions('info'), stream: sink.stream }, childLoggerFactory: lazyRequestLogger as never, genReqId: () => 'req-42' });
    app.get('/', async (request) => {
      request.log.warn({ headers: request.headers }, 'looked at the headers');
      return 'ok';
    });
    await app.inject({ url: '/', headers: { authorization: 'Bearer top-secret-key' } });
    await app.close();
    const lines = linesIn(sink.out);
    expect(lines.map((l) => l.msg)).toEqual(['incoming request', 'looked at the headers', 'request completed']);
    expect(lines.every((l) => l.reqId === 'req-42')).toBe(true);
    expect(lines[0].req).toMatchObject({ method: 'GET', url: '/' });
  });
});
