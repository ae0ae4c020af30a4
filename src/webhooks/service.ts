// Webhook use cases for the API: define, read, delete, and show deliveries. Secrets go in, never out.
import { AppError } from '../errors.js';
import type { RunChanges } from '../runs/changes.js';
import { RUN_STATES } from '../runs/model.js';
import { ALL_EVENTS, type DeliveryAttempt, type StoredWebhook, type Webhook } from './model.js';
import type { WebhookStore } from './store.js';
import { checkTarget, TargetRefused } from './target.js';

export interface WebhookInput {
  url: string;
  events: string[];
  pools?: string[];
  secret: string;
}

const view = ({ sealed_secret: _secret, ...webhook }: StoredWebhook): Webhook => webhook;

export class WebhookService {
  constructor(
    private readonly store: WebhookStore,
    private readonly allowPrivate: boolean,
    private readonly changes: RunChanges,
  ) {}

  async put(name: string, input: WebhookInput): Promise<{ webhook: Webhook; created: boolean }> {
    const unknown = input.events.filter((e) => e !== ALL_EVENTS && !(RUN_STATES as readonly string[]).includes(e));
    if (unknown.length || (input.events.includes(ALL_EVENTS) && input.events.length > 1)) {
      throw new AppError('VALIDATION_FAILED', 400, 'The webhook is invalid.', [
        { path: '/events', message: `must be ["*"] or run states (${RUN_STATES.join(', ')})${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}` },
      ]);
    }
    try {
      await checkTarget(input.url, this.allowPrivate);
    } catch (err) {
      if (err instanceof TargetRefused) throw new AppError('WEBHOOK_TARGET_REFUSED', 400, err.message, [{ path: '/url', message: err.message }]);
      throw err;
    }
    const existing = await this.store.get(name);
    const now = new Date().toISOString();
    const webhook: Webhook = {
      name,
      url: input.url,
      events: [...new Set(input.events)],
      ...(input.pools ? { pools: [...new Set(input.pools)] } : {}),
      // Kept on replacement: it decides which state changes are new to this webhook.
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    await this.store.put(webhook, input.secret);
    return { webhook, created: !existing };
  }

  async get(name: string): Promise<Webhook> {
    const webhook = await this.store.get(name);
    if (!webhook) throw new AppError('WEBHOOK_NOT_FOUND', 404, `No webhook named ${name}.`);
    return view(webhook);
  }

  async list(): Promise<Webhook[]> {
    return (await this.store.list()).map(view);
  }

  async delete(name: string): Promise<void> {
    if (!(await this.store.delete(name))) throw new AppError('WEBHOOK_NOT_FOUND', 404, `No webhook named ${name}.`);
  }

  /** Runs with state changes not yet handed to every webhook (for the pending-deliveries gauge). */
  pending(): Promise<{ due: number; waiting: number }> {
    return this.changes.pending();
  }

  async deliveries(name: string, limit: number): Promise<DeliveryAttempt[]> {
    await this.get(name);
    return this.store.deliveries(name, limit);
  }
}
