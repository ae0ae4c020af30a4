// The emulator's small HTTP toolkit: routes matched case-insensitively (as ARM does), ARM-shaped errors.

export interface EmulatorRequest {
  method: string;
  url: URL;
  params: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  rawBody: string;
  /** Set by the auth layer for ARM routes. */
  principal?: Principal;
}

export interface Principal {
  tenantId: string;
  clientId: string;
}

export interface EmulatorResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

export interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  /** ARM operation id, used for counters and throttling. */
  operation: string;
  kind: 'read' | 'write' | 'delete' | 'none';
  arm: boolean;
  handler: Handler;
}

export function route(
  method: string,
  path: string,
  operation: string,
  kind: Route['kind'],
  handler: Handler,
  arm = true,
): Route {
  const keys: string[] = [];
  const source = path.replace(/\{(\w+)\}/g, (_m, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { method, pattern: new RegExp(`^${source}/?$`, 'i'), keys, operation, kind, arm, handler };
}

export function matchRoute(routes: Route[], method: string, pathname: string) {
  for (const r of routes) {
    if (r.method !== method) continue;
    const match = r.pattern.exec(pathname);
    if (!match) continue;
    const params: Record<string, string> = {};
    r.keys.forEach((key, i) => (params[key] = decodeURIComponent(match[i + 1])));
    return { route: r, params };
  }
  return undefined;
}

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toResponse(): EmulatorResponse {
    return { status: this.status, body: { error: { code: this.code, message: this.message, ...this.extra } }, headers: this.headers };
  }
}

export const json = (status: number, body?: unknown, headers?: Record<string, string>): EmulatorResponse => ({ status, body, headers });

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
