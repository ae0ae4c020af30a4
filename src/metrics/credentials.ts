// Credential refusals (Entra would not give a token): counted, and the runs still running under a
// refused credential shown as a gauge, so an expired secret is seen before the grace ends the runs.
import { Counter, Gauge } from 'prom-client';
import { registry } from './registry.js';

/** A refused run not seen again for this long is no longer counted (it ended, or another worker took it). */
const FORGET_AFTER_MS = 5 * 60_000;

/** Runs of this process still running under a refused credential, with when that was last seen. */
const refused = new Map<string, number>();

export const credentialFailures = new Counter({
  name: 'aci_flow_runner_credential_failures_total',
  help: 'Azure credential refusals met by a run step, by Entra code and what the run did (crashed, or kept running within the grace).',
  labelNames: ['code', 'outcome'] as const,
  registers: [registry],
});

new Gauge({
  name: 'aci_flow_runner_runs_with_refused_credential',
  help: 'Runs still RUNNING whose credential Azure refuses (this process; sum over workers); they end CRASHED after CREDENTIAL_FAILURE_GRACE_SECONDS.',
  registers: [registry],
  collect() {
    const now = Date.now();
    for (const [id, seen] of refused) if (now - seen > FORGET_AFTER_MS) refused.delete(id);
    this.set(refused.size);
  },
});

/** A running run whose credential was refused: it goes on (within the grace) and is shown. */
export function credentialRefusedWhileRunning(runId: string, code: string): void {
  refused.set(runId, Date.now());
  credentialFailures.inc({ code, outcome: 'kept_running' });
}

/** A run ended CRASHED by a refused credential (before it ran, or past the grace). */
export function credentialRefusedFinal(runId: string, code: string): void {
  refused.delete(runId);
  credentialFailures.inc({ code, outcome: 'crashed' });
}

/** Azure answered the run's calls again (the secret was fixed, or the run ended otherwise). */
export function credentialAccepted(runId: string): void {
  refused.delete(runId);
}
