import { describe, expect, it } from 'vitest';
import { splitCommand } from '../../src/templating/command.js';
import { containerGroupName, deploymentName, isValidContainerGroupName, isValidDeploymentName } from '../../src/templating/naming.js';
import { slugify } from '../../src/templating/slugify.js';
import { escapeArmString } from '../../src/templating/arm-escape.js';

describe('command splitting (POSIX shlex)', () => {
  it.each([
    ['prefect flow-run execute', ['prefect', 'flow-run', 'execute']],
    [`python -m "my module" --x='a b'`, ['python', '-m', 'my module', '--x=a b']],
    [`echo "a\\"b" c\\ d`, ['echo', 'a"b', 'c d']],
    [`echo ''`, ['echo', '']],
    [`echo "a\\nb"`, ['echo', 'a\\nb']],
    [`echo $HOME # not a comment`, ['echo', '$HOME', '#', 'not', 'a', 'comment']],
    [`sh -c "echo hi; exit 3"`, ['sh', '-c', 'echo hi; exit 3']],
    ['  spaced\tout\n', ['spaced', 'out']],
  ])('%s', (command, words) => {
    expect(splitCommand(command)).toEqual(words);
  });
  it('refuses unbalanced quotes', () => {
    expect(() => splitCommand(`echo "open`)).toThrow('No closing quotation');
  });
});

describe('slugify as Prefect calls it', () => {
  it.each([
    ['Short Flow', 'short-flow'],
    ['Refresh PBI', 'refresh-pbi'],
    ['Keyvault Notification', 'keyvault-notificati'],
    ['Extremely Long Flow Name That Exceeds Limits', 'extremely-long-flow'],
    ['my_flow', 'my-flow'],
    ["don't stop", 'don-t-stop'],
    ['1,000 things', '1000-things'],
    ['Ünïcödé flow', 'unicode-flow'],
    ['A&amp;B', 'a-b'],
    ['ETL: daily', 'etl-daily'],
    ['abcdefghijklmnopqr-stuv', 'abcdefghijklmnopqr'],
    ['!!!', ''],
    ['🚀🔥', ''],
  ])('%s → %s', (name, slug) => {
    expect(slugify(name, 19)).toBe(slug);
  });
});

describe('container group and deployment names', () => {
  const id = '0b7c4b7e-3a5e-4c6f-9a2b-1d2e3f4a5b6c';
  it.each([
    ['Short Flow', `short-flow-${id}`],
    ['Refresh PBI', `refresh-pbi-${id}`],
    ['Keyvault Notification', `keyvault-notificati-${id}`],
    ['Extremely Long Flow Name That Exceeds Limits', `extremely-long-flow-${id}`],
    ['!!!', `flow-${id}`],
    ['🚀', `flow-${id}`],
  ])('%s', (flowName, expected) => {
    const group = containerGroupName(flowName, id);
    expect(group).toBe(expected);
    expect(isValidContainerGroupName(group)).toBe(true);
    expect(isValidDeploymentName(deploymentName(group))).toBe(true);
    expect(deploymentName(group).length).toBeLessThanOrEqual(64);
  });
  it('lowercases the flow run id', () => {
    expect(containerGroupName('x', id.toUpperCase())).toBe(`x-${id}`);
  });
});

describe('ARM escaping', () => {
  it.each([
    ['[concat(1)]', '[[concat(1)]'],
    ['[x', '[x'],
    ['x]', 'x]'],
    ['[[x]', '[[[x]'],
    ['plain', 'plain'],
  ])('%s → %s', (input, output) => {
    expect(escapeArmString(input)).toBe(output);
  });
});
