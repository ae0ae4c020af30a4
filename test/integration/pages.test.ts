import { describe, expect, it } from 'vitest';
import { renderOpenApi } from '../../src/openapi-file.js';
import { useTestApp } from '../helpers/app.js';
import { ADMIN_KEY, READER_KEY } from '../helpers/config.js';

const basic = (key: string, user = 'operator') => ({ authorization: `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}` });

describe('pages', () => {
  const harness = useTestApp();

  it('serves the runs page and its script without a key', async () => {
    const page = await harness.app.inject({ url: '/ui' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<table id="runs">');
    const script = await harness.app.inject({ url: '/ui/app.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('javascript');
    expect(script.body).toContain('sessionStorage');
  });

  it('asks a browser for a key on /admin/queues and refuses keys without pools:admin', async () => {
    const anonymous = await harness.app.inject({ url: '/admin/queues' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(anonymous.json().error.code).toBe('UNAUTHENTICATED');
    const wrong = await harness.app.inject({ url: '/admin/queues', headers: basic('not-the-key-at-all') });
    expect(wrong.statusCode).toBe(401);
    const reader = await harness.app.inject({ url: '/admin/queues', headers: basic(READER_KEY) });
    expect(reader.statusCode).toBe(403);
    expect(reader.json().error.code).toBe('FORBIDDEN');
  });

  it('shows bull-board with the run queue to a pools:admin key, by Basic auth or bearer', async () => {
    const page = await harness.app.inject({ url: '/admin/queues', headers: basic(ADMIN_KEY) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<base href="/admin/queues/"');
    const api = await harness.app.inject({ url: '/admin/queues/api/queues', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(api.statusCode).toBe(200);
    expect(api.json().queues.map((q: { name: string }) => q.name)).toContain('runs');
    // Assets need the key too: nothing of the board is public.
    const asset = await harness.app.inject({ url: '/admin/queues/static/favicon-32x32.png' });
    expect(asset.statusCode).toBe(401);
  });

  it('Basic auth is accepted only on the pages that ask for it', async () => {
    const res = await harness.app.inject({ url: '/runs', headers: basic(ADMIN_KEY) });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('keeps pages and admin routes out of the OpenAPI document', async () => {
    const yaml = await renderOpenApi();
    expect(yaml).toContain('/runs');
    expect(yaml).not.toMatch(/\/ui|\/admin/);
  });
});
