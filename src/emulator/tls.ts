// A certificate made at start-up (never a committed key), written where clients can trust it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

export interface EmulatorCertificate {
  cert: string;
  key: string;
  /** PEM file of the certificate: pass it as tlsOptions.ca, AZURE_CA_CERT_FILE or NODE_EXTRA_CA_CERTS. */
  caPath: string;
}

export async function generateCertificate(): Promise<EmulatorCertificate> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'aci-flow-runner emulator' }], {
    keySize: 2048,
    notBeforeDate: new Date(Date.now() - 60_000),
    notAfterDate: new Date(Date.now() + 30 * 86400e3),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'aci-emulator-'));
  const caPath = join(dir, 'ca.pem');
  writeFileSync(caPath, pems.cert);
  return { cert: pems.cert, key: pems.private, caPath };
}
