import { describe, expect, it } from 'vitest';
import { armGuid, uniqueString } from '../../src/emulator/template/unique-string.js';

describe('uniqueString (vectors from real ARM and Azure.Deployments.Expression)', () => {
  it.each([
    [['aaa'], 'zavj67f3en4hc'],
    [['bbb'], 'w5eragfxe33cy'],
    [['zzz'], 'cryksdzzzawae'],
    [['xxx', 'yyy', 'zzz'], 'lghi7k5js7itq'],
    [['test'], 'rbgf3xv4ufgzg'],
    [['hello', 'world'], 'a7wkljktk6wne'],
    [['/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg'], 'bmg7c6xu4tw46'],
  ])('%j → %s', (parts, expected) => {
    expect(uniqueString(...parts)).toBe(expected);
  });
});

describe('guid', () => {
  it('is a lowercase version-5 UUID, stable for the same arguments', () => {
    const a = armGuid('sub', 'rg', 'name');
    expect(a).toBe('64b245d3-1fa7-5ec2-bf2b-712664f17eef'); // Python: uuid5(UUID('11fb06fb-…'), 'sub-rg-name')
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(armGuid('sub', 'rg', 'name')).toBe(a);
    expect(armGuid('sub', 'rg', 'other')).not.toBe(a);
  });
});
