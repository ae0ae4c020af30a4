// What an emulated container does, decided only by what was deployed (documented in README):
//  - image containing "inaccessible" or "does-not-exist": the pull fails (InaccessibleImage)
//  - image containing "emulator/oom": runs 3 s, killed with exit 137 (OOMKilled)
//  - image containing "emulator/crashloop": exits 1 after 1 s (restarts under Always/OnFailure)
//  - image containing "emulator/stuck-waiting": pulled, the group runs, but the container never starts
//    (Waiting, CreateContainerError, a Warning event repeated): Azure keeps retrying it for ever
//  - `sh -c "<script>"` (also bash, /bin/sh): `echo TEXT` logs a line, `sleep N` waits N seconds,
//    `exit K` ends with code K; statements are split on ; && || and new lines
//  - Prefect's command (`prefect flow-run execute`): a successful flow run of 10 s with Prefect-like logs
//  - anything else: logs the command line, runs 5 s, exits 0
//  - env ACI_EMULATOR_RUN_SECONDS / ACI_EMULATOR_EXIT_CODE override the duration / exit code
// All seconds are emulated seconds, scaled by the emulator's time scale.

export interface LogStep {
  atSeconds: number;
  line: string;
}

export interface ContainerScript {
  pullFails: boolean;
  /** The container never starts: it stays Waiting in a running group. */
  neverStarts?: boolean;
  steps: LogStep[];
  durationSeconds: number;
  exitCode: number;
  detailStatus: string;
}

export interface ContainerSpec {
  image: string;
  command?: string[];
  environment: Record<string, string>;
}

const SHELLS = /(^|\/)(sh|bash|ash|dash|zsh)$/;

function unquote(text: string): string {
  const t = text.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

function runShell(script: string): Pick<ContainerScript, 'steps' | 'durationSeconds' | 'exitCode'> {
  const steps: LogStep[] = [];
  let at = 0;
  for (const raw of script.split(/;|&&|\|\||\n/)) {
    const statement = raw.trim();
    if (!statement) continue;
    const [word, ...rest] = statement.split(/\s+/);
    const argument = statement.slice(word.length).trim();
    if (word === 'echo') steps.push({ atSeconds: at, line: unquote(argument) });
    else if (word === 'sleep') at += Number(rest[0]) || 0;
    else if (word === 'exit') return { steps, durationSeconds: at, exitCode: Number(rest[0]) || 0 };
  }
  return { steps, durationSeconds: at, exitCode: 0 };
}

function prefectRun(env: Record<string, string>): Pick<ContainerScript, 'steps' | 'durationSeconds' | 'exitCode'> {
  const id = env.PREFECT__FLOW_RUN_ID ?? 'unknown';
  const flow = env.PREFECT__FLOW_NAME ?? 'flow';
  return {
    steps: [
      { atSeconds: 0, line: `Opening process...` },
      { atSeconds: 1, line: `Downloading flow code from storage at '.'` },
      { atSeconds: 2, line: `Beginning flow run '${id}' for flow '${flow}'` },
      { atSeconds: 9, line: `Finished in state Completed()` },
    ],
    durationSeconds: 10,
    exitCode: 0,
  };
}

export function scriptFor(spec: ContainerSpec): ContainerScript {
  const image = spec.image.toLowerCase();
  const command = spec.command ?? [];
  let run: Pick<ContainerScript, 'steps' | 'durationSeconds' | 'exitCode'>;
  let detailStatus = 'Completed';
  if (image.includes('inaccessible') || image.includes('does-not-exist')) {
    return { pullFails: true, steps: [], durationSeconds: 0, exitCode: 0, detailStatus: 'ErrImagePull' };
  }
  if (image.includes('emulator/stuck-waiting')) {
    return { pullFails: false, neverStarts: true, steps: [], durationSeconds: 0, exitCode: 0, detailStatus: 'CreateContainerError' };
  }
  if (image.includes('emulator/oom')) {
    run = { steps: [{ atSeconds: 0, line: 'allocating memory...' }], durationSeconds: 3, exitCode: 137 };
    detailStatus = 'OOMKilled';
  } else if (image.includes('emulator/crashloop')) {
    run = { steps: [{ atSeconds: 0, line: 'starting... crashing' }], durationSeconds: 1, exitCode: 1 };
  } else {
    const shellAt = command.findIndex((word, i) => SHELLS.test(word) && command[i + 1] === '-c');
    if (shellAt >= 0) run = runShell(command[shellAt + 2] ?? '');
    else if (command.join(' ').includes('prefect flow-run execute')) run = prefectRun(spec.environment);
    else run = { steps: [{ atSeconds: 0, line: command.join(' ') || spec.image }], durationSeconds: 5, exitCode: 0 };
  }
  const seconds = Number(spec.environment.ACI_EMULATOR_RUN_SECONDS);
  if (spec.environment.ACI_EMULATOR_RUN_SECONDS !== undefined && Number.isFinite(seconds)) run.durationSeconds = seconds;
  const code = Number(spec.environment.ACI_EMULATOR_EXIT_CODE);
  if (spec.environment.ACI_EMULATOR_EXIT_CODE !== undefined && Number.isInteger(code)) run.exitCode = code;
  if (detailStatus === 'Completed' && run.exitCode !== 0) detailStatus = 'Error';
  return { pullFails: false, ...run, detailStatus };
}
