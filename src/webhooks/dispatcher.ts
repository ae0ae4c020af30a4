// Delivers run state changes to webhooks, at least once and in order per run and webhook. Runs in the
// worker process. Everything it knows is in Redis (the run's history is the event log, the cursors say
// how far each webhook got), so a restarted or replaced worker carries on where the last one stopped.
import type { Logger } from 'pino';
import type { WebhookConfig } from '../config.js';
import { webhookDeliveries, webhookDeliveryDuration } from '../metrics/registry.js';
import type { ClaimedChange, RunChanges } from '../runs/changes.js';
import { isTerminal, type Run } from '../runs/model.js';
import type { RunStore } from '../runs/store.js';
import { send, type SendResult } from './deliver.js';
import { stateChangedEvent, wants, type DeliveryAttempt, type StoredWebhook } from './model.js';
import type { Cursor, WebhookStore } from './store.js';

/** The webhook settings (WEBHOOK_*), and how many runs one worker handles at once. */
export type DispatchSettings = WebhookConfig & {
  concurrency: number;
};

/** How far behind the look at the webhooks a change must be to be dropped when there are none. */
const UNOWED_MARGIN_MS = 10_000;
const DROP_BATCH = 1000;

export function retryDelayMs(settings: Pick<DispatchSettings, 'retryBaseMs' | 'retryMaxMs'>, attempts: number, random = Math.random()): number {
  const delay = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(delay * (0.8 + 0.4 * random));
}

export class WebhookDispatcher {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly changes: RunChanges,
    private readonly runs: RunStore,
    private readonly webhooks: WebhookStore,
    private readonly settings: DispatchSettings,
    private readonly log: Logger,
  ) {}

  /** Long enough for one run's deliveries; past it another worker may take the run over. */
  private get leaseMs() {
    return this.settings.timeoutMs * 10 + 30_000;
  }

  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      let busy = false;
      try {
        busy = await this.tick();
      } catch (err) {
        this.log.error({ err }, 'webhook dispatch failed');
      }
      if (!this.stopped) this.timer = setTimeout(() => (this.running = loop()), busy ? 0 : this.settings.pollMs);
    };
    this.running = loop();
  }

  /** Handles the runs that are due; true when there may be more right away. */
  async tick(): Promise<boolean> {
    const listedAt = Date.now();
    const webhooks = await this.webhooks.list();
    if (webhooks.length === 0) {
      // Nobody is owed a change made while no webhook exists (a webhook is sent only what changed after
      // it was made): those are dropped in bulk instead of claimed, read and settled one by one. The
      // margin covers clocks of other hosts (a change marked after a webhook appeared is never dropped).
      const dropped = await this.changes.dropBefore(listedAt - UNOWED_MARGIN_MS, DROP_BATCH);
      return dropped === DROP_BATCH;
    }
    const claims = await this.changes.claim(this.settings.concurrency, this.leaseMs);
    await Promise.all(claims.map((claim) => this.handle(claim)));
    return claims.length === this.settings.concurrency;
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async handle(claim: ClaimedChange): Promise<void> {
    try {
      const run = await this.runs.get(claim.runId);
      const nextDue = run ? await this.deliverRun(run, Number(claim.lease)) : undefined;
      await this.changes.settle(claim, nextDue);
    } catch (err) {
      this.log.error({ err, runId: claim.runId }, 'webhook dispatch of a run failed; retrying in 30 s');
      await this.changes.settle(claim, Date.now() + 30_000).catch(() => undefined);
    }
  }

  /** Sends what each webhook has not had yet; returns when to look again (a retry), if ever. */
  private async deliverRun(run: Run, leaseEnd: number): Promise<number | undefined> {
    let nextDue: number | undefined;
    for (const webhook of await this.webhooks.list()) {
      const retryAt = await this.deliverTo(webhook, run, leaseEnd);
      if (retryAt !== undefined) nextDue = Math.min(nextDue ?? retryAt, retryAt);
    }
    return nextDue;
  }

  private async deliverTo(webhook: StoredWebhook, run: Run, leaseEnd: number): Promise<number | undefined> {
    const before = await this.webhooks.cursor(webhook.name, run.id);
    let cursor: Cursor = before;
    const done = () => isTerminal(run.state) && cursor.sequence >= run.history.length;
    try {
      if (cursor.next_attempt_at && cursor.next_attempt_at > Date.now()) return cursor.next_attempt_at;
      while (cursor.sequence < run.history.length) {
        // Stop well before the lease ends, so no other worker sends this run's events at the same time.
        if (Date.now() > leaseEnd - this.settings.timeoutMs * 2) return Date.now();
        const sequence = cursor.sequence + 1;
        const entry = run.history[sequence - 1];
        // States before the webhook existed, and states it did not ask for, are passed over.
        if (entry.at < webhook.created_at || !wants(webhook, run, entry.state)) {
          cursor = { sequence, attempts: 0 };
          continue;
        }
        const event = stateChangedEvent(run, sequence);
        const body = JSON.stringify(event);
        const result = await send({
          url: webhook.url,
          eventId: event.id,
          body,
          secret: this.webhooks.secretOf(webhook),
          timeoutMs: this.settings.timeoutMs,
          allowPrivate: this.settings.allowPrivate,
        });
        const attempts = cursor.attempts + 1;
        const firstFailure = cursor.first_failure_at ?? Date.now();
        const outcome = result.ok ? 'delivered' : Date.now() - firstFailure >= this.settings.retryForMs ? 'abandoned' : 'retrying';
        const nextAttempt = outcome === 'retrying' ? Date.now() + retryDelayMs(this.settings, attempts) : undefined;
        await this.webhooks.recordAttempt(webhook.name, attempt(event.id, run, entry.state, attempts, outcome, result, nextAttempt));
        webhookDeliveries.inc({ outcome });
        webhookDeliveryDuration.observe({ result: result.kind }, result.duration_ms / 1000);
        if (outcome === 'retrying') {
          cursor = { ...cursor, attempts, first_failure_at: firstFailure, next_attempt_at: nextAttempt };
          return nextAttempt;
        }
        if (outcome === 'abandoned') this.log.warn({ webhook: webhook.name, eventId: event.id, attempts }, 'webhook event abandoned after retrying');
        cursor = { sequence, attempts: 0 };
      }
      return undefined;
    } finally {
      if (JSON.stringify(cursor) !== JSON.stringify(before)) await this.webhooks.saveCursor(webhook.name, run.id, cursor, done());
    }
  }
}

function attempt(
  eventId: string,
  run: Run,
  state: Run['state'],
  attempts: number,
  outcome: DeliveryAttempt['outcome'],
  result: SendResult,
  nextAttempt: number | undefined,
): DeliveryAttempt {
  return {
    event_id: eventId,
    run_id: run.id,
    state,
    attempt: attempts,
    at: new Date().toISOString(),
    outcome,
    status_code: result.status_code,
    error: result.error,
    response: result.response,
    duration_ms: result.duration_ms,
    next_attempt_at: nextAttempt === undefined ? null : new Date(nextAttempt).toISOString(),
  };
}
