// The emulator: an HTTPS server the official Azure SDKs talk to unchanged (endpoint + CA).
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { aciRoutes } from './aci/routes.js';
import { deploymentRoutes } from './arm/routes.js';
import { Clock } from './clock.js';
import { controlRoutes } from './control.js';
import { Entra, type ServicePrincipal } from './entra.js';
import { Faults } from './faults.js';
import { ArmError, matchRoute, type EmulatorRequest, type EmulatorResponse, type Route } from './http.js';
import { MemoryStore, type EmulatorStore } from './store.js';
import { materializePendingCreates } from './arm/deployments.js';
import { Throttle, type ThrottleLimits } from './throttle.js';
import { generateCertificate } from './tls.js';
import { checkSettings, DEFAULT_SETTINGS, type EmulatorSettings, type World } from './world.js';

/** ARM's token buckets as the settings give them. */
function limitsFrom(settings: EmulatorSettings): ThrottleLimits {
  return {
    read: { capacity: settings.readBurst, refillPerSecond: settings.readsPerSecond },
    write: { capacity: settings.writeBurst, refillPerSecond: settings.writesPerSecond },
    delete: { capacity: settings.deleteBurst, refillPerSecond: settings.deletesPerSecond },
  };
}

export interface EmulatorOptions {
  host?: string;
  port?: number;
  /** Multiplies every emulated duration: 0.01 makes a 10 s run take 100 ms. */
  timeScale?: number;
  throttle?: Partial<ThrottleLimits>;
  settings?: Partial<EmulatorSettings>;
  principals?: ServicePrincipal[];
  store?: EmulatorStore;
}

export interface RunningEmulator {
  url: string;
  caCert: string;
  caPath: string;
  world: World;
  entra: Entra;
  close(): Promise<void>;
}

const MAX_BODY = 4 * 1024 * 1024;

function parseJson(rawBody: string, contentType: string): unknown {
  if (!rawBody || !contentType.includes('json')) return undefined;
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized: invalid JSON.');
  }
}

function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new ArmError(413, 'RequestEntityTooLarge', 'The request content is larger than 4 MB.'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const certificate = await generateCertificate();
  let baseUrl = '';
  const world: World = {
    store: options.store ?? new MemoryStore(),
    clock: new Clock(options.timeScale ?? 1),
    faults: new Faults(),
    settings: { ...DEFAULT_SETTINGS, ...checkSettings(options.settings ?? {}) },
    baseUrl: () => baseUrl,
    creates: new Map(),
    deletes: new Map(),
    pendingCreates: new Map(),
    templateLinks: new Map(),
  };
  const throttle = new Throttle({ ...limitsFrom(world.settings), ...options.throttle });
  const entra = new Entra(options.principals, world.faults, world.settings.tokenLifetimeSeconds);
  const routes: Route[] = [...controlRoutes(world, entra), ...entra.routes(() => baseUrl), ...deploymentRoutes(world), ...aciRoutes(world)];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  /**
   * What ARM does before a handler: authenticate, then injected faults, then its request limits.
   * Returns the rate-limit headers, or 'reset' when the connection is to be dropped.
   */
  async function admit(r: Route, request: EmulatorRequest, socket: Socket): Promise<Record<string, string> | 'reset'> {
    const principal = (request.principal = entra.authenticate(request));
    const sub = request.params.sub ?? '';
    for (const fault of world.faults.pick(r.operation, { kind: r.kind, resourceGroup: request.params.rg })) {
      if (fault.kind === 'latency') await delay(fault.latencySeconds !== undefined ? world.clock.ms(fault.latencySeconds) : fault.latencyMs ?? 100);
      if (fault.kind === 'reset') return 'reset';
      if (fault.kind === 'hang') {
        if (!socket.destroyed) await new Promise((resolve) => socket.once('close', resolve));
        return 'reset';
      }
      if (fault.kind === 'server-error') {
        const status = fault.status ?? 500;
        throw new ArmError(status, status === 503 ? 'ServiceUnavailable' : 'InternalServerError', 'Injected fault: the server encountered an internal error.');
      }
      if (fault.kind === 'lock') {
        const scope = `/subscriptions/${sub}/resourceGroups/${request.params.rg}`;
        throw new ArmError(409, 'ScopeLocked', `The scope '${request.url.pathname}' cannot perform ${r.kind} operation because following scope(s) are locked: '${scope}'. Please remove the lock and try again.`);
      }
      if (fault.kind === 'throttle') {
        const headers: Record<string, string> = fault.retryAfterSeconds === null ? {} : { 'Retry-After': String(fault.retryAfterSeconds ?? 1) };
        throw new ArmError(429, 'SubscriptionRequestsThrottled', `Injected fault: number of requests for subscription '${sub}' exceeded.`, {}, headers);
      }
    }
    if (r.kind === 'none') return {};
    const taken = throttle.take(sub, `${principal.tenantId}/${principal.clientId}`, r.kind);
    if (taken.ok) return taken.headers;
    world.faults.throttled++;
    throw new ArmError(
      429,
      'SubscriptionRequestsThrottled',
      `Number of '${taken.kind}' requests for subscription '${sub}' actor '${principal.clientId}' exceeded. Please try again after '${taken.retryAfterSeconds}' seconds after the last request.`,
      {},
      { 'Retry-After': String(taken.retryAfterSeconds) },
    );
  }

  async function handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const requestId = crypto.randomUUID();
    const baseHeaders: Record<string, string> = {
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': String(req.headers['x-ms-correlation-request-id'] ?? requestId),
      'x-ms-routing-request-id': `EMULATOR:${requestId}`,
    };
    let response: EmulatorResponse;
    try {
      const rawBody = await readBody(req);
      // Groups whose dispatched creation came due appear before anything can look for them.
      materializePendingCreates(world);
      const matched = matchRoute(routes, req.method ?? 'GET', url.pathname);
      if (!matched) throw new ArmError(404, 'NoRegisteredProviderFound', `No registered resource provider found for path '${url.pathname}' and method '${req.method}'.`);
      const { route: r, params } = matched;
      if (r.arm) world.faults.count(r.operation);
      const body = parseJson(rawBody, String(req.headers['content-type'] ?? ''));
      const request: EmulatorRequest = { method: req.method ?? 'GET', url, params, headers: req.headers, body, rawBody };
      if (r.arm) {
        const passed = await admit(r, request, req.socket);
        if (passed === 'reset') {
          req.socket.destroy();
          return;
        }
        Object.assign(baseHeaders, passed);
      }
      response = await r.handler(request);
    } catch (err) {
      if (err instanceof ArmError) response = err.toResponse();
      else {
        // Never a stack trace on the wire: an ARM-shaped 500.
        response = new ArmError(500, 'InternalServerError', `The emulator failed to process the request ${requestId}.`).toResponse();
        process.stderr.write(`emulator: ${(err as Error).stack}\n`);
      }
    }
    if (res.destroyed) return;
    const headers: Record<string, string> = { ...baseHeaders, ...response.headers };
    if (response.body !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      res.writeHead(response.status, headers).end(JSON.stringify(response.body));
    } else res.writeHead(response.status, headers).end();
  }

  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    void handle(req, res);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  baseUrl = `https://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${address.port}`;

  return {
    url: baseUrl,
    caCert: certificate.cert,
    caPath: certificate.caPath,
    world,
    entra,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
