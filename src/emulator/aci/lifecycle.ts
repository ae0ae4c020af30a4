// A container group's state as a pure function of time: no timers, so nothing to clean up and the
// same inputs always give the same answers.
import { iso, type Clock } from '../clock.js';
import type { ContainerScript } from './behaviour.js';

export const PENDING_SECONDS = 1;
export const PULL_SECONDS = 2;
export const BACKOFF_SECONDS = 10;
/** A repair: this long Unhealthy, then this long Repairing, then its outcome. */
export const UNHEALTHY_SECONDS = 2;
export const REPAIRING_SECONDS = 3;

export interface Lifecycle {
  startedAt: number;
  script: ContainerScript;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  image: string;
  stoppedAt?: number;
  /** Azure restarts the container this long after a non-zero exit, despite restartPolicy Never. */
  platformRestart?: { afterSeconds: number; exitCode: number; runSeconds?: number };
  /** The group could not be created (capacity, registry…); with recoversAt it then starts by itself. */
  failure?: { code: string; message: string; recoversAt?: number };
  /** A platform repair started at `at` (real ms). */
  repair?: { at: number; outcome: 'running' | 'failed'; unhealthySeconds: number; repairingSeconds: number };
  /** Whether the restart-after-exit faults were already drawn for this container's exit. */
  exitDrawn?: boolean;
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
  provisioningState: 'Pending' | 'Creating' | 'Succeeded' | 'Failed' | 'Unhealthy' | 'Repairing';
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

/** The group as seen at `now`: what ran as deployed, changed by what the platform did to it. */
export function viewAt(lc: Lifecycle, groupName: string, clock: Clock, now: number): GroupView {
  if (lc.failure) return failedCreate(lc, lc.failure, groupName, clock, now);
  if (lc.repair && now >= lc.repair.at) return repaired(lc, lc.repair, groupName, clock, now);
  return plainView(lc, groupName, clock, now);
}

function failedCreate(lc: Lifecycle, failure: NonNullable<Lifecycle['failure']>, groupName: string, clock: Clock, now: number): GroupView {
  if (failure.recoversAt !== undefined && now >= failure.recoversAt) {
    // Azure kept trying and the group came up: it runs as if created then.
    return viewAt({ ...lc, failure: undefined, startedAt: failure.recoversAt }, groupName, clock, now);
  }
  const view: GroupView = {
    provisioningState: 'Failed',
    groupState: 'Failed',
    restartCount: 0,
    current: { state: 'Waiting', detailStatus: failure.code },
    events: [event('Failed', failure.message, lc.startedAt, 'Warning')],
    logs: [],
    failure: { code: failure.code, message: failure.message },
  };
  return stopped(lc, view, now);
}

function repaired(lc: Lifecycle, repair: NonNullable<Lifecycle['repair']>, groupName: string, clock: Clock, now: number): GroupView {
  const plain = { ...lc, repair: undefined };
  const before = plainView(plain, groupName, clock, repair.at);
  // Only a running group can be repaired; one that already ended stays as it was.
  if (before.groupState !== 'Running' || before.current?.state !== 'Running') return plainView(plain, groupName, clock, now);
  const repairingAt = repair.at + clock.ms(repair.unhealthySeconds);
  const endsAt = repairingAt + clock.ms(repair.repairingSeconds);
  const events = [...before.events, event('Unhealthy', 'The node running the container group is unhealthy; the group is being repaired', repair.at, 'Warning')];
  if (lc.stoppedAt !== undefined && lc.stoppedAt <= now && lc.stoppedAt < endsAt) return stopped(lc, { ...before, events }, now);
  if (now < repairingAt) return { ...before, provisioningState: 'Unhealthy', events };
  events.push(event('Repairing', 'Moving the container group to a healthy node', repairingAt, 'Warning'));
  if (now < endsAt) return { ...before, provisioningState: 'Repairing', current: { state: 'Waiting', detailStatus: 'Repairing' }, events, logs: [] };
  if (repair.outcome === 'failed') {
    const message = 'The container group could not be repaired and has failed';
    events.push(event('Failed', message, endsAt, 'Warning'));
    return stopped(
      lc,
      { ...before, provisioningState: 'Failed', groupState: 'Failed', current: { state: 'Waiting', detailStatus: 'Failed' }, events, logs: [], failure: { code: 'ContainerGroupRepairFailed', message } },
      now,
    );
  }
  // Restarted on a healthy node without a new pull: a fresh instance, only its logs remain.
  const after = plainView({ ...plain, startedAt: endsAt - clock.ms(PENDING_SECONDS + PULL_SECONDS) }, groupName, clock, now);
  return {
    ...after,
    restartCount: after.restartCount + before.restartCount + 1,
    previous: { state: 'Terminated', startTime: before.current.startTime, finishTime: iso(repair.at), detailStatus: 'Killed' },
    events: [...events, ...after.events.filter((e) => e.name === 'Started' || e.name === 'BackOff')],
  };
}

function plainView(lc: Lifecycle, groupName: string, clock: Clock, now: number): GroupView {
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
  if (lc.script.neverStarts) {
    // The group is up but its container cannot be started; Azure retries and says so in its events.
    const retries = 1 + Math.floor((t - runStart) / clock.ms(BACKOFF_SECONDS));
    events.push({ ...event('Failed', 'The container could not be started; retrying', runStart, 'Warning', retries), lastTimestamp: iso(Math.max(runStart, t)) });
    return stopped(lc, { ...base, provisioningState: 'Succeeded', groupState: 'Running', current: { state: 'Waiting', detailStatus: lc.script.detailStatus } }, now);
  }

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
  const ended: GroupView = {
    ...running,
    groupState: lc.script.exitCode === 0 ? 'Succeeded' : 'Failed',
    current: terminated(cycleStart),
    terminatedAt: cycleStart + runMs,
  };
  const again = lc.platformRestart;
  if (!again || lc.script.exitCode === 0 || lc.restartPolicy !== 'Never') return ended;
  const restartAt = cycleStart + runMs + clock.ms(again.afterSeconds);
  if (t < restartAt) return ended;
  // Azure started the container again (maintenance, repair, eviction): a second instance of the
  // same command; restartCount and previousState tell it, and only the new instance's logs remain.
  const second = plainView({ ...lc, platformRestart: undefined, startedAt: restartAt - clock.ms(PENDING_SECONDS + PULL_SECONDS), script: { ...lc.script, exitCode: again.exitCode, durationSeconds: again.runSeconds ?? lc.script.durationSeconds, detailStatus: again.exitCode === 0 ? 'Completed' : 'Error' } }, groupName, clock, now);
  return {
    ...second,
    restartCount: second.restartCount + 1,
    previous: terminated(cycleStart),
    events: [...events, event('Killing', 'Container restarted by the platform', restartAt, 'Warning'), ...second.events.filter((e) => e.name === 'Started')],
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
