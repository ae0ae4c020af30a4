import { ClientSecretCredential } from '@azure/identity';
import { ContainerInstanceManagementClient } from '@azure/arm-containerinstance';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';

export const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

/** Real SDK clients, authenticated through the emulator's Entra endpoints, over HTTPS. */
export function sdkClients(emulator: RunningEmulator, clientId = 'test-client') {
  const tlsOptions = { ca: emulator.caCert };
  const credential = new ClientSecretCredential('test-tenant', clientId, 'test-secret', {
    authorityHost: emulator.url,
    disableInstanceDiscovery: true,
    tlsOptions,
  });
  const options = { endpoint: emulator.url, tlsOptions, credentialScopes: ['https://management.azure.com/.default'] };
  return {
    credential,
    resources: new ResourceManagementClient(credential, SUBSCRIPTION, options),
    aci: new ContainerInstanceManagementClient(credential, SUBSCRIPTION, options),
  };
}

export async function withEmulator(options: EmulatorOptions = {}) {
  return startEmulator({ timeScale: 0.01, ...options });
}

/** Raw HTTPS to the emulator (control endpoint and wire-level checks). */
export async function call(emulator: RunningEmulator, method: string, path: string, body?: unknown, token = 'aci-emulator-static-token') {
  const { request } = await import('node:https');
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }>((resolve, reject) => {
    const url = new URL(path, emulator.url);
    const req = request(
      url,
      { method, ca: emulator.caCert, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
