// Swagger UI at /docs as a person uses it (issue 12, item 3): authorize with a key in its dialog, "Try it
// out" on POST /runs with the contract's own example, read the 202 shown in the page, then follow the run to
// COMPLETED with "Try it out" on GET /runs/{id}. A real run: API + worker + emulator, real Redis.
import { mkdir, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitExample } from '../../src/http/schemas/runs.js';
import { launchChromium } from '../helpers/browser.js';
import { ADMIN_KEY } from '../helpers/config.js';
import { getRun, startService, waitFor, type Harness } from '../helpers/service.js';

const SCREENSHOT_DIR = new URL('../../artifacts/browser/', import.meta.url);
const TERMINAL = ['COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED'];

/** The live response Swagger UI shows under an operation: its status code and body text. */
async function shownResponse(operation: ElementHandle<Element>): Promise<{ status: string; body: string }> {
  return operation.$eval('.live-responses-table', (table) => ({
    status: table.querySelector('.response .response-col_status')?.textContent?.trim() ?? '',
    body: table.querySelector('.response-col_description .highlight-code pre, .response-col_description pre.microlight')?.textContent ?? '',
  }));
}

/** Opens an operation, presses "Try it out", and returns its block. */
async function tryItOut(page: Page, operationId: string, tag = 'runs'): Promise<ElementHandle<Element>> {
  const selector = `#operations-${tag}-${operationId}`;
  await page.waitForSelector(selector);
  await page.click(`${selector} .opblock-summary-control, ${selector} .opblock-summary`);
  await page.waitForSelector(`${selector} .try-out__btn`);
  await page.click(`${selector} .try-out__btn`);
  await page.waitForSelector(`${selector} .execute`);
  return (await page.$(selector))!;
}

/** Presses Execute and waits for the answer the page received from the service (not a timer). */
async function execute(page: Page, operation: ElementHandle<Element>, request: (url: URL, method: string) => boolean) {
  const answered = page.waitForResponse((res) => request(new URL(res.url()), res.request().method()), { timeout: 15_000 });
  await (await operation.$('.execute'))!.click();
  const response = await answered;
  // The page renders what it received: wait until the shown status is the one on the wire.
  await page.waitForFunction(
    (el, status) => el.querySelector('.live-responses-table .response .response-col_status')?.textContent?.trim() === String(status),
    { timeout: 10_000 },
    operation,
    response.status(),
  );
  return response;
}

describe('/docs (Swagger UI) in a browser', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    h = await startService();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close(); // also drops the keys of its prefix
  });

  it('authorizes, submits the example run (202) and follows it to COMPLETED, all in the page', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    await page.goto(`${base}/docs`);

    // Authorize: the dialog's bearer value.
    await page.waitForSelector('.btn.authorize');
    await page.click('.btn.authorize');
    await page.waitForSelector('.modal-ux input');
    await page.type('.modal-ux input', ADMIN_KEY);
    await page.click('.modal-ux .auth-btn-wrapper .authorize');
    await page.waitForSelector('.modal-ux .auth-btn-wrapper .btn-done, .modal-ux .auth-btn-wrapper .logout');
    await page.click('.modal-ux .btn-done, .modal-ux .close-modal');
    await page.waitForSelector('.btn.authorize.locked');

    // POST /runs with the example exactly as the contract gives it.
    const submit = await tryItOut(page, 'submitRun');
    const editor = await submit.$eval('textarea.body-param__text', (el) => (el as HTMLTextAreaElement).value);
    expect(JSON.parse(editor)).toEqual(submitExample);
    const posted = await execute(page, submit, (url, method) => method === 'POST' && url.pathname === '/runs');
    expect(posted.status()).toBe(202);
    const shown = await shownResponse(submit);
    expect(shown.status).toBe('202');
    const run = JSON.parse(shown.body);
    expect(run.state).toBe('PENDING');
    expect(run.id).toMatch(/^[0-9a-f-]{36}$/);

    // GET /runs/{id}: the id typed into the page, executed again until the run has ended.
    const get = await tryItOut(page, 'getRun');
    await (await get.$('tr[data-param-name="id"] input'))!.type(run.id);
    let state = '';
    const seen: string[] = [];
    for (let attempt = 0; attempt < 10 && !TERMINAL.includes(state); attempt++) {
      // Execute again once the run has moved on (read from the service, a bounded poll), not on a timer.
      if (state) await waitFor(() => getRun(h, run.id), (r) => r.state !== state);
      await execute(page, get, (url, method) => method === 'GET' && url.pathname === `/runs/${run.id}`);
      const answer = await shownResponse(get);
      expect(answer.status).toBe('200');
      state = JSON.parse(answer.body).state;
      seen.push(state);
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(state).toBe('COMPLETED');
    const final = JSON.parse((await shownResponse(get)).body);
    expect(final.result).toEqual({ identifier: run.infrastructure_pid, status_code: 0 });
    expect(final.history.map((t: { state: string }) => t.state)).toEqual(['PENDING', 'SUBMITTING', 'PROVISIONING', 'RUNNING', 'COMPLETED']);

    await mkdir(SCREENSHOT_DIR, { recursive: true });
    const file = new URL('docs-run-completed.png', SCREENSHOT_DIR);
    // The GET answer showing COMPLETED, in view (the whole page is many screens of documentation).
    await get.$eval('.live-responses-table', (el) => el.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: file.pathname as `${string}.png` });
    expect((await stat(file)).size).toBeGreaterThan(10_000);
  });
});
