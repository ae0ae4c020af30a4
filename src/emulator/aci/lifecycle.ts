// A container group's state as a pure function of time: no timers, so nothing to clean up and the
// same inputs always give the same answers.
import { iso, type Clock } from '../clock.js';
import type { ContainerScript } from './behaviour.js';

export const PENDING_SECONDS = 1;
export const PULL_SECONDS = 2;
export const BACKOFF_SECONDS = 10;

export interface Lifecycle {
  startedAt: number;
  script: ContainerScript;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  image: string;
  stoppedAt?: number;
}

export interface ContainerStateView {
  state: 'Waiting' | 'Running' | 'Terminated';
  startTime?: string;
  finishTime?: string;
  exitCode?: number;
  detailStatus: string;
}

export interface EventView {
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  name: string;
  message: string;
  type: 'Normal' | 'Warning';
}

export interface GroupView {
  provisioningState: 'Pending' | 'Creating' | 'Succeeded' | 'Failed';
  groupState: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Stopped';
  current?: ContainerStateView;
  previous?: ContainerStateView;
  restartCount: number;
  events: EventView[];
  /** Log lines written so far, with their real timestamps. */
  logs: { at: number; line: string }[];
  failure?: { code: string; message: string };
  /** Real time at which the container terminated for good, if it has. */
  terminatedAt?: number;
}

function event(name: string, message: string, at: number, type: 'Normal' | 'Warning' = 'Normal', count = 1): EventView {
  return { count, firstTimestamp: iso(at), lastTimestamp: iso(at), name, message, type };
}

export function viewAt(lc: Lifecycle, groupName: string, clock: Clock, now: number): GroupView {
  const t = lc.stoppedAt !== undefined ? Math.min(now, lc.stoppedAt) : now;
  const pulling = lc.startedAt + clock.ms(PENDING_SECONDS);
  const runStart = pulling + clock.ms(PULL_SECONDS);
  const events: EventView[] = [];
  const base: GroupView = { provisioningState: 'Pending', groupState: 'Pending', restartCount: 0, events, logs: [] };
  if (t < pulling) return stopped(lc, base, now);
  events.push(event('Pulling', `pulling image "${lc.image}"`, pulling));
  if (lc.script.pullFails) {
    if (t < runStart) return stopped(lc, { ...base, provisioningState: 'Creating', current: { state: 'Waiting', detailStatus: 'ContainerCreating' } }, now);
    events.push(event('Failed', `Failed to pull image "${lc.image}": image not found or registry credentials are wrong`, runStart, 'Warning'));
    return {
      ...base,
      provisioningState: 'Failed',
      groupState: 'Failed',
      current: { state: 'Waiting', detailStatus: 'ErrImagePull' },
      failure: {
        code: 'InaccessibleImage',
        message: `The image '${lc.image}' in container group '${groupName}' is not accessible. Please check the image and registry credential.`,
      },
    };
  }
  if (t < runStart) return stopped(lc, { ...base, provisioningState: 'Creating', current: { state: 'Waiting', detailStatus: 'ContainerCreating' } }, now);
  events.push(event('Pulled', `Successfully pulled image "${lc.image}"`, runStart));

  const runMs = clock.ms(lc.script.durationSeconds);
  const restarts = lc.restartPolicy === 'Always' || (lc.restartPolicy === 'OnFailure' && lc.script.exitCode !== 0);
  const cycleMs = runMs + clock.ms(BACKOFF_SECONDS);
  const cycle = restarts ? Math.floor((t - runStart) / cycleMs) : 0;
  const cycleStart = runStart + cycle * cycleMs;
  const logs: GroupView['logs'] = [];
  for (let c = 0; c <= cycle; c++) {
    const start = runStart + c * cycleMs;
    for (const step of lc.script.steps) {
      const at = start + clock.ms(step.atSeconds);
      if (at <= t && at <= start + runMs) logs.push({ at, line: step.line });
    }
  }
  events.push(event('Started', 'Started container', cycleStart, 'Normal', cycle + 1));
  const terminated = (start: number): ContainerStateView => ({
    state: 'Terminated',
    startTime: iso(start),
    finishTime: iso(start + runMs),
    exitCode: lc.script.exitCode,
    detailStatus: lc.script.detailStatus,
  });
  const previous = cycle > 0 ? terminated(cycleStart - cycleMs) : undefined;
  const running: GroupView = { ...base, provisioningState: 'Succeeded', groupState: 'Running', restartCount: cycle, previous, logs };
  if (t < cycleStart + runMs) {
    return stopped(lc, { ...running, current: { state: 'Running', startTime: iso(cycleStart), detailStatus: '' } }, now);
  }
  if (restarts) {
    events.push(event('BackOff', 'Back-off restarting failed container', cycleStart + runMs, 'Warning', cycle + 1));
    return stopped(lc, { ...running, previous: terminated(cycleStart), current: { state: 'Waiting', detailStatus: 'CrashLoopBackOff' } }, now);
  }
  return {
    ...running,
    groupState: lc.script.exitCode === 0 ? 'Succeeded' : 'Failed',
    current: terminated(cycleStart),
    terminatedAt: cycleStart + runMs,
  };
}

/** A stop before the container ended: containers are recycled and the group is Stopped. */
function stopped(lc: Lifecycle, view: GroupView, now: number): GroupView {
  if (lc.stoppedAt === undefined || now < lc.stoppedAt) return view;
  view.events.push({ count: 1, firstTimestamp: iso(lc.stoppedAt), lastTimestamp: iso(lc.stoppedAt), name: 'Killing', message: 'Killing container', type: 'Normal' });
  return {
    ...view,
    provisioningState: view.provisioningState === 'Pending' || view.provisioningState === 'Creating' ? 'Succeeded' : view.provisioningState,
    groupState: 'Stopped',
    current: undefined,
  };
}
