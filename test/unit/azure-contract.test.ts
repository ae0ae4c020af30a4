// contract/azure-arm.json is derived from Microsoft's spec files, which live outside the repository
// (../shared beside it in CI). Where they are present, the committed contract must match them; where
// they are not (a fresh clone), only the prose-free property of the committed file is checked.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contractText, extractContract } from '../../src/contract/extract.js';

const SPECS = fileURLToPath(new URL('../../../shared/reference/azure-specs/', import.meta.url));
const committed = readFileSync(new URL('../../contract/azure-arm.json', import.meta.url), 'utf8');

describe('Azure contract', () => {
  it.skipIf(!existsSync(SPECS))('is current with ../shared/reference/azure-specs (else run `npm run contract:extract`)', () => {
    expect(committed).toBe(contractText(extractContract(SPECS)));
  });

  it('keeps no prose: no description, summary or title outside property names', () => {
    const prose: string[] = [];
    const walk = (value: unknown, path: string, underProperties: boolean) => {
      if (!value || typeof value !== 'object') return;
      for (const [key, child] of Object.entries(value)) {
        if (!underProperties && ['description', 'summary', 'title'].includes(key)) prose.push(`${path}/${key}`);
        walk(child, `${path}/${key}`, key === 'properties' && !Array.isArray(child));
      }
    };
    walk(JSON.parse(committed), '', false);
    expect(prose).toEqual([]);
    expect(Object.keys(JSON.parse(committed).operations)).toContain('ContainerGroups_CreateOrUpdate');
  });
});
