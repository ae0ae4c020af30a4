// A run as JSON in its record: `doc`, the run's own fields, and `sub`, what the client submitted of flow
// run, flow and deployment (written once); version, state, hash and log counters are fields of their own
// (src/runs/store.ts). A new run is turned into JSON once: POST /runs answers it with text cut from the
// same two strings instead of building and serializing it a second time (docs/run-store.md, "One
// serialization per create").
import type { Run } from './model.js';

/** The parts of a run written once at creation (client JSON, possibly large). */
export type Submitted = Pick<Run, 'flow_run' | 'flow' | 'deployment'>;
/** The parts kept in fields of their own. */
type OwnFields = 'version' | 'state' | 'submission_hash' | 'log_lines' | 'log_cursor';
export type Doc = Omit<Run, OwnFields | keyof Submitted>;

/** A run as its record keeps it: `doc` and `sub` (the own fields are the caller's to write). */
export function splitRun(run: Run): { doc: Doc; sub: Submitted } {
  const { version: _v, state: _s, submission_hash: _h, log_lines: _l, log_cursor: _c, flow_run, flow, deployment, ...doc } = run;
  return { doc, sub: { flow_run, ...(flow ? { flow } : {}), ...(deployment ? { deployment } : {}) } };
}

/** Where a run's own pages are: GET, its logs, and the kill of its infrastructure pid. */
export function runLinks(run: Pick<Run, 'id' | 'infrastructure_pid'>) {
  const self = `/runs/${run.id}`;
  return { self, logs: `${self}/logs`, kill: `/runs/${run.infrastructure_pid}` };
}

export interface NewRunJson {
  /** The record's `doc` field. */
  doc: string;
  /** The record's `sub` field. */
  sub: string;
  /** The run as GET /runs/{id} shows it (the Run schema, links included): the 202 answer of POST /runs. */
  view: string;
}

/**
 * The texts of a run about to be created. Fields of `doc` the API never shows (principal, on_quota,
 * outcome) are written after the shown ones, so the shown part of `doc` is one piece the answer reuses.
 * The answer is not filtered by the Run schema: a field added to Run (or to its `azure`) must be shown by
 * the schema or named here, which test/integration/submit-answer.test.ts enforces (POST's answer equals GET's).
 */
export function newRunJson(run: Run): NewRunJson {
  const { doc: full, sub: submitted } = splitRun(run);
  const { principal, on_quota, outcome, ...shown } = full;
  const shownJson = JSON.stringify(shown);
  const hidden = { ...(on_quota ? { on_quota } : {}), ...(outcome ? { outcome } : {}), ...(principal !== undefined ? { principal } : {}) };
  const hiddenJson = JSON.stringify(hidden);
  const doc = hiddenJson === '{}' ? shownJson : `${shownJson.slice(0, -1)},${hiddenJson.slice(1)}`;
  const sub = JSON.stringify(submitted);
  const view = `{"state":${JSON.stringify(run.state)},"log_lines":${run.log_lines ?? 0},${shownJson.slice(1, -1)},${sub.slice(1, -1)},"links":${JSON.stringify(runLinks(run))}}`;
  return { doc, sub, view };
}
