// Webhooks: who is told about run state changes, and the event they receive.
import { isTerminal, type Run, type RunState } from '../runs/model.js';

export const ALL_EVENTS = '*';

export interface Webhook {
  name: string;
  url: string;
  /** Run states that trigger a delivery, or ["*"] for every state. */
  events: string[];
  /** Only runs of these work pools; every pool when absent. */
  pools?: string[];
  created_at: string;
  updated_at: string;
}

/** As stored: the signing secret sealed like other secrets. */
export interface StoredWebhook extends Webhook {
  sealed_secret: string;
}

export interface RunStateChanged {
  id: string;
  type: 'run.state_changed';
  created_at: string;
  run: {
    id: string;
    state: RunState;
    previous_state: RunState | null;
    reason: string;
    work_pool: string;
    infrastructure_pid: string;
    flow_run_name: string | null;
    submitted_at: string;
    result: { identifier: string; status_code: number } | null;
  };
}

/** One attempt to deliver one event to one webhook, as GET /webhooks/{name}/deliveries shows it. */
export interface DeliveryAttempt {
  event_id: string;
  run_id: string;
  state: RunState;
  attempt: number;
  at: string;
  /** delivered: 2xx; retrying: will be sent again at next_attempt_at; abandoned: retried for too long. */
  outcome: 'delivered' | 'retrying' | 'abandoned';
  status_code: number | null;
  error: string | null;
  response: string | null;
  duration_ms: number;
  next_attempt_at: string | null;
}

/** The n-th entry (1-based) of a run's history is its n-th event: stable ids, in order, written with the transition. */
export const eventId = (runId: string, sequence: number) => `${runId}.${sequence}`;

export function stateChangedEvent(run: Run, sequence: number): RunStateChanged {
  const entry = run.history[sequence - 1];
  const name = run.flow_run?.name;
  return {
    id: eventId(run.id, sequence),
    type: 'run.state_changed',
    created_at: entry.at,
    run: {
      id: run.id,
      state: entry.state,
      previous_state: sequence > 1 ? run.history[sequence - 2].state : null,
      reason: entry.reason,
      work_pool: run.work_pool,
      infrastructure_pid: run.infrastructure_pid,
      flow_run_name: typeof name === 'string' ? name : null,
      submitted_at: run.submitted_at,
      // The result belongs to the final state; earlier events never carry one.
      result: isTerminal(entry.state) && run.result ? run.result : null,
    },
  };
}

export function wants(webhook: Webhook, run: Run, state: RunState): boolean {
  if (webhook.pools && !webhook.pools.includes(run.work_pool)) return false;
  return webhook.events.includes(ALL_EVENTS) || webhook.events.includes(state);
}
