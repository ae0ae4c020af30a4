// `--help` works for every command without configuration; unknown commands and options exit 2 with the usage.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli-help.js';

const run = (...args: string[]) => spawnSync(process.execPath, ['dist/main.js', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });

describe('CLI', () => {
  it('--help lists every command and needs no configuration', () => {
    const res = run('--help');
    expect(res.status).toBe(0);
    for (const command of Object.keys(COMMANDS)) expect(res.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it.each(Object.keys(COMMANDS))('%s --help describes the command', (command) => {
    const res = run(command, '--help');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(`Usage: node dist/main.js ${command}`);
  });

  it('answers an unknown command or option with the usage and exit code 2', () => {
    for (const args of [['nope'], ['--bogus'], ['api', 'extra']]) {
      const res = run(...args);
      expect(res.status).toBe(2);
      expect(res.stderr).toContain('Usage: node dist/main.js [command]');
    }
  });
});
