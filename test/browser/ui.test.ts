// Opens /ui in headless Chromium and watches a real run (API + worker + emulator) go from PENDING to
// COMPLETED, with its log lines, the way a person would.
import { mkdir, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConnection, workerConnection } from '../../src/redis.js';
import { startWorker } from '../../src/runtime.js';
import { launchChromium } from '../helpers/browser.js';
import { ADMIN_KEY } from '../helpers/config.js';
import { auth, startService, submission, type Harness } from '../helpers/service.js';

const SCREENSHOT_DIR = new URL('../../artifacts/browser/', import.meta.url);

describe('/ui in a browser', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  const connection = { current: undefined as ReturnType<typeof workerConnection> | undefined };
  let worker: ReturnType<typeof startWorker> | undefined;

  beforeAll(async () => {
    // No worker yet: the run stays PENDING until the test starts one, so the page must show both states.
    h = await startService({ worker: false });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    if (connection.current) await closeConnection(connection.current);
    await h?.close(); // also drops the keys of its prefix
  });

  it('shows a run going from PENDING to COMPLETED with its log lines', async () => {
    const body = submission({
      command: 'sh -c "echo hello from the browser test; sleep 1; echo second line; exit 0"',
      stream_output: true,
    });
    const submitted = await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    expect(submitted.statusCode).toBe(202);
    const id: string = submitted.json().id;

    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    await page.goto(`${base}/ui`);
    await page.type('#key', ADMIN_KEY);
    await page.click('#key-form button[type=submit]');

    const row = `#runs tr[data-run-id="${id}"]`;
    await page.waitForSelector(`${row}[data-state="PENDING"]`, { timeout: 10_000 });
    // The table is rebuilt on every refresh: find and click the row in one step, or the handle may be stale.
    await page.$eval(row, (el) => (el as HTMLElement).click());
    await page.waitForSelector('#history li[data-state="PENDING"]', { timeout: 10_000 });

    connection.current = workerConnection(h.config.redisUrl);
    worker = startWorker(h.config, h.services, connection.current, pino({ level: 'silent' }));

    await page.waitForSelector(`${row}[data-state="COMPLETED"]`, { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('#logs')?.textContent?.includes('second line'), { timeout: 15_000 });
    const logs = await page.$eval('#logs', (el) => el.textContent ?? '');
    expect(logs).toContain('hello from the browser test');
    expect(logs.indexOf('hello from the browser test')).toBeLessThan(logs.indexOf('second line'));
    expect(await page.$eval(`${row} .result`, (el) => el.textContent)).toBe('exit 0');
    await page.waitForSelector('#history li[data-state="COMPLETED"]', { timeout: 10_000 });
    const states = await page.$$eval('#history li', (items) => items.map((li) => (li as HTMLElement).dataset.state));
    expect(states[0]).toBe('PENDING');
    expect(states.at(-1)).toBe('COMPLETED');

    await mkdir(SCREENSHOT_DIR, { recursive: true });
    const file = new URL('ui-run-completed.png', SCREENSHOT_DIR);
    await page.screenshot({ path: file.pathname as `${string}.png`, fullPage: true });
    expect((await stat(file)).size).toBeGreaterThan(10_000);
  });
});
