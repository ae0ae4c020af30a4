// Writes src/client/api.ts, the types of the API, from openapi.yaml with openapi-typescript
// (`npm run client:generate`); test/unit/client-types.test.ts fails when the file is not current.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const OPENAPI_FILE = new URL('../../openapi.yaml', import.meta.url);
export const CLIENT_TYPES_FILE = fileURLToPath(new URL('../../src/client/api.ts', import.meta.url));

const HEADER = '// Generated from openapi.yaml by openapi-typescript (npm run client:generate). Do not edit.\n\n';

export async function renderClientTypes(): Promise<string> {
  // A development tool: loaded only when types are generated, never by the service or the client.
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const ast = await openapiTS(await readFile(OPENAPI_FILE, 'utf8'));
  return HEADER + astToString(ast);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(CLIENT_TYPES_FILE, await renderClientTypes());
  process.stdout.write(`wrote ${CLIENT_TYPES_FILE}\n`);
}
