// `npm run contract:extract [specs-dir]`: rewrites contract/azure-arm.json from Microsoft's spec files
// (default ../shared/reference/azure-specs beside the repository).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { contractText, extractContract } from './extract.js';

export const CONTRACT_FILE = fileURLToPath(new URL('../../contract/azure-arm.json', import.meta.url));
const specs = process.argv[2] ?? fileURLToPath(new URL('../../../shared/reference/azure-specs/', import.meta.url));
const contract = extractContract(specs);
writeFileSync(CONTRACT_FILE, contractText(contract));
console.log(`wrote ${CONTRACT_FILE}: ${Object.keys(contract.operations).length} operations, ${contract.examples.length} examples`);
