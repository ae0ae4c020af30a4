import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CLIENT_TYPES_FILE, renderClientTypes } from '../../src/client/codegen.js';

describe('client types', () => {
  it('are generated from the current openapi.yaml (run `npm run client:generate` when this fails)', async () => {
    expect(await readFile(CLIENT_TYPES_FILE, 'utf8')).toBe(await renderClientTypes());
  }, 60_000);
});
