// The signature check README.md gives receivers, run as written on deliveries made by the service's own
// sender (src/webhooks/deliver.ts) to a real HTTP server: if the snippet or the signing drift apart, this fails.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../../src/webhooks/deliver.js';
import { verify } from '../../src/webhooks/signature.js';

type VerifyWebhook = (secret: string, rawBody: string, header: string | undefined, toleranceSeconds?: number) => boolean;

const SECRET = 'whsec-readme-0123456789abcdef';

/** The README's ```js block that defines verifyWebhook, as a module of its own. */
async function readmeSnippet(dir: string): Promise<VerifyWebhook> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes('function verifyWebhook('));
  expect(blocks).toHaveLength(1);
  const file = join(dir, 'verify-webhook.mjs');
  await writeFile(file, `${blocks[0]}\nexport { verifyWebhook };\n`);
  return ((await import(pathToFileURL(file).href)) as { verifyWebhook: VerifyWebhook }).verifyWebhook;
}

describe('the README webhook verification snippet', () => {
  let dir: string;
  let verifyWebhook: VerifyWebhook;
  let url: string;
  const received: { headers: IncomingHttpHeaders; raw: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'readme-snippet-'));
    verifyWebhook = await readmeSnippet(dir);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  /** One POST by the service's sender; what the receiver got, raw. */
  async function deliver(body: string, now?: number) {
    const result = await send({ url, eventId: 'run-1.5', body, secret: SECRET, timeoutMs: 5000, allowPrivate: true, now });
    expect(result).toMatchObject({ ok: true, status_code: 204 });
    const got = received.at(-1)!;
    return { raw: got.raw, header: got.headers['webhook-signature'] as string };
  }

  // Not ASCII on purpose: the HMAC covers the UTF-8 bytes, and the receiver reads the body as text.
  const event = JSON.stringify({ id: 'run-1.5', type: 'run.state_changed', created_at: '2026-11-29T11:00:00.000Z', run: { id: 'run-1', state: 'COMPLETED', flow_run_name: 'café ☕ nightly', result: { identifier: 'run-1:g', status_code: 0 } } });

  it('accepts a real delivery, as the service verifies it', async () => {
    const { raw, header } = await deliver(event);
    expect(raw).toBe(event);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(SECRET, raw, header)).toBe(true);
    expect(verify(SECRET, raw, header)).toBe(true);
  });

  it('refuses a changed body, a re-serialised body, another secret, and a missing or broken header', async () => {
    const { raw, header } = await deliver(event);
    const cases: [string, string, string | undefined][] = [
      ['one character changed', raw.replace('COMPLETED', 'COMPLETEd'), header],
      ['parsed and serialised again', JSON.stringify(JSON.parse(raw), null, 1), header],
      ['another secret', raw, header],
      ['no header', raw, undefined],
      ['a header without v1', raw, header.split(',')[0]],
      ['a header of another delivery', raw, header.replace(/v1=[0-9a-f]{8}/, 'v1=00000000')],
    ];
    for (const [name, body, given] of cases) {
      const secret = name === 'another secret' ? 'whsec-someone-else-000000' : SECRET;
      expect(verifyWebhook(secret, body, given), name).toBe(false);
      expect(verify(secret, body, given), name).toBe(false);
    }
  });

  it('refuses a delivery signed longer ago than the tolerance (a replay)', async () => {
    const tenMinutesAgo = Date.now() - 600_000;
    const { raw, header } = await deliver(event, tenMinutesAgo);
    expect(verifyWebhook(SECRET, raw, header)).toBe(false);
    expect(verifyWebhook(SECRET, raw, header, 900)).toBe(true);
  });
});
