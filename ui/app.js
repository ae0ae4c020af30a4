// The runs page: reads only the public API with the key the user typed (kept in sessionStorage, so
// it leaves with the tab). No build step: plain ES module.
const KEY_ITEM = 'aci-flow-runner.api-key';
const REFRESH_MS = 2000;
const FINAL = new Set(['COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED']);

const $ = (selector) => document.querySelector(selector);
let selected = null; // { id, abort: AbortController, lastEventId, lines }

const key = () => sessionStorage.getItem(KEY_ITEM);
const headers = (extra = {}) => ({ authorization: `Bearer ${key()}`, ...extra });

function showStatus(message) {
  $('#status').textContent = message ?? '';
}

async function api(path) {
  const res = await fetch(path, { headers: headers() });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body?.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${res.status}`);
  return body;
}

function age(since) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(since)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d`;
}

const result = (run) => (run.result ? `exit ${run.result.status_code}` : '—');

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function stateCell(state) {
  const td = cell(state, 'state');
  td.dataset.state = state;
  return td;
}

function renderRuns(runs) {
  const body = $('#runs tbody');
  body.replaceChildren(
    ...runs.map((run) => {
      const tr = document.createElement('tr');
      tr.dataset.runId = run.id;
      tr.dataset.state = run.state;
      if (selected?.id === run.id) tr.className = 'selected';
      const name = run.flow_run?.name ? `${run.flow_run.name} ` : '';
      const id = document.createElement('td');
      id.append(name, Object.assign(document.createElement('code'), { textContent: run.id.slice(0, 8) }));
      id.title = run.id;
      tr.append(id, stateCell(run.state), cell(run.work_pool), cell(age(run.submitted_at)), cell(result(run), 'result'));
      tr.addEventListener('click', () => select(run.id));
      return tr;
    }),
  );
}

async function refreshRuns() {
  if (!key()) return;
  try {
    const page = await api('/runs?limit=50');
    renderRuns(page.items);
    showStatus();
  } catch (err) {
    showStatus(`Could not list runs: ${err.message}`);
  }
}

async function refreshDetail() {
  if (!selected) return;
  const current = selected;
  try {
    const run = await api(`/runs/${encodeURIComponent(current.id)}`);
    if (selected !== current) return;
    $('#detail-state').textContent = run.state;
    $('#detail-state').dataset.state = run.state;
    $('#history').replaceChildren(
      ...run.history.map((step) => {
        const li = document.createElement('li');
        li.dataset.state = step.state;
        li.textContent = `${step.at}  ${step.state}: ${step.reason}`;
        return li;
      }),
    );
  } catch (err) {
    showStatus(`Could not read run ${current.id}: ${err.message}`);
  }
}

/** Reads server-sent events from a fetch body (EventSource cannot send an Authorization header). */
async function* serverSentEvents(body, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  signal.addEventListener('abort', () => reader.cancel().catch(() => {}));
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { event: 'message', data: [], id: undefined };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.event = text;
        else if (field === 'data') event.data.push(text);
        else if (field === 'id') event.id = text;
      }
      yield { ...event, data: event.data.join('\n') };
    }
  }
}

function appendLog(line) {
  const logs = $('#logs');
  const atBottom = logs.scrollTop + logs.clientHeight >= logs.scrollHeight - 4;
  logs.append(`${line.ts}  ${line.line}\n`);
  if (atBottom) logs.scrollTop = logs.scrollHeight;
}

/** Follows the run's log stream; reconnects with Last-Event-ID until the server says the run ended. */
async function followLogs(current) {
  for (let attempt = 0; selected === current; attempt++) {
    $('#log-status').textContent = 'following…';
    try {
      const extra = current.lastEventId ? { 'last-event-id': current.lastEventId } : {};
      const res = await fetch(`/runs/${encodeURIComponent(current.id)}/logs?follow=true`, {
        headers: headers(extra),
        signal: current.abort.signal,
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      for await (const event of serverSentEvents(res.body, current.abort.signal)) {
        if (event.id) current.lastEventId = event.id;
        if (event.event === 'log') {
          appendLog(JSON.parse(event.data));
        } else if (event.event === 'end') {
          const end = JSON.parse(event.data);
          $('#log-status').textContent = `ended ${end.state}`;
          void refreshDetail();
          return;
        }
      }
    } catch (err) {
      if (current.abort.signal.aborted) return;
      $('#log-status').textContent = `reconnecting (${err.message})`;
    }
    // The stream closed without an end event: resume where it stopped (without Last-Event-ID support the
    // server replays from the start, so start the view afresh).
    if (!current.lastEventId) $('#logs').replaceChildren();
    await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)));
  }
}

function select(id) {
  selected?.abort.abort();
  selected = { id, abort: new AbortController(), lastEventId: undefined };
  history.replaceState(null, '', `#${id}`);
  $('#detail').hidden = false;
  $('#detail-id').textContent = id;
  $('#detail-state').textContent = '';
  $('#history').replaceChildren();
  $('#logs').replaceChildren();
  for (const tr of document.querySelectorAll('#runs tbody tr')) tr.classList.toggle('selected', tr.dataset.runId === id);
  void refreshDetail();
  void followLogs(selected);
}

function start() {
  $('#key').value = key() ?? '';
  $('#key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_ITEM, $('#key').value.trim());
    void refreshRuns();
    if (selected) select(selected.id);
  });
  $('#forget').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_ITEM);
    $('#key').value = '';
    selected?.abort.abort();
    selected = null;
    $('#detail').hidden = true;
    $('#runs tbody').replaceChildren();
  });
  if (!key()) showStatus('Enter an API key with the runs:read scope.');
  void refreshRuns();
  setInterval(() => {
    void refreshRuns();
    if (selected && !FINAL.has($('#detail-state').dataset.state)) void refreshDetail();
  }, REFRESH_MS);
  const fromHash = decodeURIComponent(location.hash.slice(1));
  if (fromHash && key()) select(fromHash);
}

start();
