// Runs the built `aci-runs` binary as its `bin` entry would: `node dist/cli/aci-runs.js …`, with only the
// environment given (PATH plus ACI_RUNNER_URL / ACI_RUNNER_KEY), and returns its exit status and output.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ACI_RUNS_BIN = fileURLToPath(new URL('../../dist/cli/aci-runs.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node <script> <args>` with only PATH and `env` in its environment. */
export function runNode(script: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

export function aciRuns(env: Record<string, string>, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return runNode(ACI_RUNS_BIN, args, env, timeoutMs);
}

/** A long-lived command (e.g. `logs --follow`): its output so far, and its result once it exits. */
export function aciRunsLive(env: Record<string, string>, args: string[], timeoutMs = 60_000) {
  const child = spawn(process.execPath, [ACI_RUNS_BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: timeoutMs });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  return { output: () => stdout, done };
}
