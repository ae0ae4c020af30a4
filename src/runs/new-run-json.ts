// A new run is turned into JSON once. Its create stores two texts (`doc`, the run's own fields, and
// `sub`, the client's flow run, flow and deployment: see the record layout in store.ts), and POST /runs
// answers the run as the API shows it: that answer is cut from the same two strings instead of being
// built and serialized a second time (docs/run-store.md, "One serialization per create").
import type { Run } from './model.js';

/** Where a run's own pages are: GET, its logs, and the kill of its infrastructure pid. */
export function runLinks(run: Pick<Run, 'id' | 'infrastructure_pid'>) {
  const self = `/runs/${run.id}`;
  return { self, logs: `${self}/logs`, kill: `/runs/${run.infrastructure_pid}` };
}

export interface NewRunJson {
  /** The record's `doc` field: the run without its own fields (version, state, hash, log counters) and without `sub`. */
  doc: string;
  /** The record's `sub` field: what the client submitted of flow run, flow and deployment. */
  sub: string;
  /** The run as GET /runs/{id} shows it (the Run schema, links included): the 202 answer of POST /runs. */
  view: string;
}

/**
 * The texts of a run about to be created. Fields the API never shows (principal, on_quota, outcome) are
 * written after the shown ones, so the shown part of `doc` is one piece the answer reuses. The answer is
 * not filtered by the Run schema: a field added to Run (or to its `azure`) must be shown by the schema or
 * named here, which test/integration/submit-answer.test.ts enforces (POST's answer equals GET's).
 */
export function newRunJson(run: Run): NewRunJson {
  const {
    version: _version,
    state,
    submission_hash: _hash,
    log_lines: logLines,
    log_cursor: _cursor,
    flow_run,
    flow,
    deployment,
    principal,
    on_quota,
    outcome,
    ...shown
  } = run;
  const shownJson = JSON.stringify(shown);
  const hidden = { ...(on_quota ? { on_quota } : {}), ...(outcome ? { outcome } : {}), ...(principal !== undefined ? { principal } : {}) };
  const hiddenJson = JSON.stringify(hidden);
  const doc = hiddenJson === '{}' ? shownJson : `${shownJson.slice(0, -1)},${hiddenJson.slice(1)}`;
  const sub = JSON.stringify({ flow_run, ...(flow ? { flow } : {}), ...(deployment ? { deployment } : {}) });
  const view = `{"state":${JSON.stringify(state)},"log_lines":${logLines ?? 0},${shownJson.slice(1, -1)},${sub.slice(1, -1)},"links":${JSON.stringify(runLinks(run))}}`;
  return { doc, sub, view };
}
