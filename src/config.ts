// The only module that reads process.env. Everything else receives a Config.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const SCOPES = ['runs:read', 'runs:write', 'pools:read', 'pools:admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  key: string;
  /** Names the key in history entries and logs: a short hash, never the key. */
  id: string;
  scopes: ReadonlySet<Scope>;
  /** The work pools this key may see and act on; undefined for every pool. */
  pools?: ReadonlySet<string>;
}

/** `key-` and 8 hex digits of the key's SHA-256: enough to tell keys apart, nothing to recover the key from. */
export const apiKeyId = (key: string) => `key-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;

const POOL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export type Role = 'api' | 'worker' | 'all';

export interface AzureConfig {
  /** ARM endpoint, e.g. https://management.azure.com */
  armEndpoint: string;
  /** Entra ID authority host, e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /** Extra CA certificate (PEM) trusted for ARM and Entra calls; the emulator's CA. */
  caCert?: string;
}

export interface Config {
  port: number;
  host: string;
  redisUrl: string;
  queuePrefix: string;
  apiKeys: ApiKey[];
  /** Run without authentication. Only when explicitly asked for. */
  authDisabled: boolean;
  logLevel: string;
  bodyLimitBytes: number;
  /** Requests one API key may make per minute (shared by every API process through Redis); 0 for no limit. */
  rateLimitPerMinute: number;
  workerConcurrency: number;
  /** What `{{ $NAME }}` placeholders may read: only the variables TEMPLATE_ENV_ALLOWLIST names. */
  templateEnv: Readonly<Record<string, string>>;
  /** Environment every flow-run container receives (Prefect's base environment), e.g. PREFECT_API_URL. */
  flowRunBaseEnv: Record<string, string>;
  /** Image used when the job variables give none. */
  defaultImage: string;
  /**
   * Identifies this service installation in the tags of every container group it creates. Empty:
   * made once per installation and kept in Redis (instance-identity.ts), settled at start.
   */
  serviceInstance: string;
  azure: AzureConfig;
  /** Minimum seconds between two reads of the same container group (read pacing floor). */
  minPollIntervalSeconds: number;
  /** ARM reads per second allowed per principal, shared by every worker process. */
  armReadsPerSecond: number;
  /** ARM writes (PUT, POST) and deletes per second per principal (ARM allows 10/s each, burst 200). */
  armWritesPerSecond: number;
  armDeletesPerSecond: number;
  /** ACI's container group create and delete limits per subscription (paced like ARM's budgets). */
  aciCreatesPer5Minutes: number;
  aciCreatesPerHour: number;
  aciDeletesPer5Minutes: number;
  aciDeletesPerHour: number;
  /** Seals secrets at rest (AES-256-GCM) when set: run specs, scopes, work pools. */
  secretsKey?: string;
  /** The key before the last rotation: still opens what it sealed; nothing is sealed with it. */
  secretsKeyPrevious?: string;
  /** The service principal used when a work pool names none (else DefaultAzureCredential). */
  defaultServicePrincipal?: { tenant_id: string; client_id: string; client_secret: string };
  workerLockMs: number;
  workerStalledIntervalMs: number;
  reconcileIntervalMs: number;
  sweepIntervalMs: number;
  /** The sweeper acts on a container group only after it has been a candidate this long. */
  sweepMinAgeMs: number;
  /** Reconciler and sweeper run on one worker at a time, holding a lease of this length in Redis. */
  housekeepingLeaseMs: number;
  /** Longest any one Azure call may take before it is abandoned (and retried as transient). */
  azureCallTimeoutMs: number;
  /** How long a closing worker lets running steps finish before it aborts their Azure calls. */
  workerShutdownMs: number;
  /** Seconds a final, cleaned-up run (record, logs, job, index entry) is kept. */
  runRetentionSeconds: number;
  /** Seconds a tombstone (id, submission hash, final state) outlives its run. */
  tombstoneRetentionSeconds: number;
  /** Most log lines kept per run. */
  logMaxLines: number;
  /** Milliseconds without a line after which a log follower gets a heartbeat comment. */
  logHeartbeatMs: number;
  /** BullMQ queues runs are spread over, each with its own hash tag. */
  queueShards: number;
  /** Redis Cluster seed nodes; when set, every connection is an ioredis Cluster client. */
  redisClusterNodes?: { host: string; port: number }[];
  /** How long a RUNNING run may go on while Azure refuses its credential before it ends CRASHED. */
  credentialFailureGraceSeconds: number;
  /** Port of the /metrics and /healthz listener of a worker-only process; 0 for none. */
  metricsPort: number;
  /** Serve /metrics without an API key (Prometheus scrapers usually have none). */
  metricsPublic: boolean;
  webhooks: WebhookConfig;
}

export interface WebhookConfig {
  /** Let webhooks target private and loopback addresses (tests, closed networks). */
  allowPrivate: boolean;
  /** Deadline of one delivery: connect, send and answer. */
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long an event is retried before it is abandoned. */
  retryForMs: number;
  /** How often a worker looks for run changes to deliver. */
  pollMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
    got: string | undefined,
  ) {
    super(`${variable}: expected ${expected}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  }
  return Number(raw);
}

function decimal(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new ConfigError(name, `a number >= ${min}`, raw);
  return value;
}

function boolean(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return false;
  if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, 'true or false', raw);
}

function url(env: Env, name: string, fallback: string, protocols: string[]): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `a URL (${protocols.join(' or ')})`, raw);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `a URL (${protocols.join(' or ')})`, raw);
  return raw.replace(/\/+$/, '');
}

/**
 * API_KEYS: comma-separated entries. `key` grants every scope on every pool; `key=scope|scope` grants
 * those scopes only; `@pool+pool` after the scopes limits the key to those work pools, e.g.
 * `API_KEYS="admin-key,ci-key=runs:read|runs:write@team-a+team-b"`.
 */
export function parseApiKeys(raw: string | undefined): ApiKey[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [key, grant] = entry.split('=', 2);
      if (key.length < 8) throw new ConfigError('API_KEYS', 'keys of at least 8 characters', `${key.slice(0, 2)}…`);
      const id = apiKeyId(key);
      if (grant === undefined) return { key, id, scopes: new Set(SCOPES) };
      const [scopeList, poolList] = grant.split('@', 2);
      const scopes = scopeList.trim() === '' ? [...SCOPES] : scopeList.split('|').map((s) => s.trim());
      for (const scope of scopes) {
        if (!(SCOPES as readonly string[]).includes(scope)) {
          throw new ConfigError('API_KEYS', `scopes among ${SCOPES.join(', ')}`, scope);
        }
      }
      if (poolList === undefined) return { key, id, scopes: new Set(scopes as Scope[]) };
      const pools = poolList.split('+').map((p) => p.trim());
      for (const pool of pools) if (!POOL_NAME.test(pool)) throw new ConfigError('API_KEYS', 'work pool names after @, joined by +', pool);
      return { key, id, scopes: new Set(scopes as Scope[]), pools: new Set(pools) };
    });
}

function keyValueList(env: Env, name: string): Record<string, string> {
  const raw = env[name];
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      if (Object.values(parsed).every((v) => typeof v === 'string')) return parsed as Record<string, string>;
    }
  } catch {
    // fall through to the error below
  }
  throw new ConfigError(name, 'a JSON object of string values', raw);
}

function caCert(env: Env): string | undefined {
  const path = env.AZURE_CA_CERT_FILE;
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError('AZURE_CA_CERT_FILE', 'a readable PEM file', path);
  }
}

function servicePrincipal(env: Env): Config['defaultServicePrincipal'] {
  const { AZURE_TENANT_ID: tenant, AZURE_CLIENT_ID: client, AZURE_CLIENT_SECRET: secret } = env;
  if (!tenant && !client && !secret) return undefined;
  if (!tenant || !client || !secret) {
    throw new ConfigError('AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET', 'all three or none', 'some of them');
  }
  return { tenant_id: tenant, client_id: client, client_secret: secret };
}

function secretsKeys(env: Env): Pick<Config, 'secretsKey' | 'secretsKeyPrevious'> {
  const current = env.SECRETS_KEY || undefined;
  const previous = env.SECRETS_KEY_PREVIOUS || undefined;
  if (previous && !current) throw new ConfigError('SECRETS_KEY', 'a key whenever SECRETS_KEY_PREVIOUS is set (rotation needs a new key)', undefined);
  if (previous && previous === current) throw new ConfigError('SECRETS_KEY_PREVIOUS', 'a key other than SECRETS_KEY', '<the same key>');
  return { secretsKey: current, secretsKeyPrevious: previous };
}

function allowedEnv(env: Env): Record<string, string> {
  const names = (env.TEMPLATE_ENV_ALLOWLIST || '').split(',').map((s) => s.trim()).filter(Boolean);
  return Object.fromEntries(names.filter((n) => env[n] !== undefined).map((n) => [n, env[n] as string]));
}

/** REDIS_CLUSTER_NODES=host:port,host:port */
function clusterNodes(env: Env): Config['redisClusterNodes'] {
  const raw = env.REDIS_CLUSTER_NODES;
  if (!raw) return undefined;
  return raw.split(',').map((entry) => {
    const match = /^\s*([^:\s]+):(\d{1,5})\s*$/.exec(entry);
    if (!match || Number(match[2]) > 65535) throw new ConfigError('REDIS_CLUSTER_NODES', 'host:port,host:port', raw);
    return { host: match[1], port: Number(match[2]) };
  });
}

export function loadConfig(env: Env = process.env): Config {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', 'one of fatal, error, warn, info, debug, trace, silent', logLevel);
  }
  const queuePrefix = env.QUEUE_PREFIX || 'acifr';
  // Hash tags ({…}) are added by the service (see src/runs/keys.ts); the prefix itself has none.
  if (!/^[A-Za-z0-9_-]+$/.test(queuePrefix)) {
    throw new ConfigError('QUEUE_PREFIX', 'letters, digits, _ or - (no braces: the service adds hash tags)', queuePrefix);
  }
  const apiKeys = parseApiKeys(env.API_KEYS);
  const authDisabled = boolean(env, 'AUTH_DISABLED');
  if (apiKeys.length === 0 && !authDisabled) {
    throw new ConfigError('API_KEYS', 'at least one key (or AUTH_DISABLED=true to run without authentication)', env.API_KEYS);
  }
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    queuePrefix,
    apiKeys,
    authDisabled,
    logLevel,
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 0, 0, 1_000_000),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 20, 1, 1000),
    templateEnv: allowedEnv(env),
    flowRunBaseEnv: keyValueList(env, 'FLOW_RUN_BASE_ENV'),
    defaultImage: env.DEFAULT_IMAGE || 'prefecthq/prefect:3-python3.12',
    serviceInstance: env.SERVICE_INSTANCE || '',
    azure: {
      armEndpoint: url(env, 'AZURE_ARM_ENDPOINT', 'https://management.azure.com', ['https:']),
      authorityHost: url(env, 'AZURE_AUTHORITY_HOST', 'https://login.microsoftonline.com', ['https:']),
      caCert: caCert(env),
    },
    minPollIntervalSeconds: decimal(env, 'MIN_POLL_INTERVAL_SECONDS', 1, 0),
    armReadsPerSecond: decimal(env, 'ARM_READS_PER_SECOND', 20, 0.1),
    ...secretsKeys(env),
    armWritesPerSecond: decimal(env, 'ARM_WRITES_PER_SECOND', 8, 0.1),
    armDeletesPerSecond: decimal(env, 'ARM_DELETES_PER_SECOND', 8, 0.1),
    aciCreatesPer5Minutes: integer(env, 'ACI_CREATES_PER_5_MINUTES', 100, 1, 10_000_000),
    aciCreatesPerHour: integer(env, 'ACI_CREATES_PER_HOUR', 300, 1, 10_000_000),
    aciDeletesPer5Minutes: integer(env, 'ACI_DELETES_PER_5_MINUTES', 100, 1, 10_000_000),
    aciDeletesPerHour: integer(env, 'ACI_DELETES_PER_HOUR', 300, 1, 10_000_000),
    defaultServicePrincipal: servicePrincipal(env),
    workerLockMs: integer(env, 'WORKER_LOCK_MS', 30_000, 1000, 600_000),
    workerStalledIntervalMs: integer(env, 'WORKER_STALLED_INTERVAL_MS', 30_000, 500, 600_000),
    reconcileIntervalMs: integer(env, 'RECONCILE_INTERVAL_MS', 60_000, 1000, 3_600_000),
    sweepIntervalMs: integer(env, 'SWEEP_INTERVAL_MS', 600_000, 1000, 86_400_000),
    sweepMinAgeMs: integer(env, 'SWEEP_MIN_AGE_MS', 600_000, 0, 86_400_000),
    housekeepingLeaseMs: integer(env, 'HOUSEKEEPING_LEASE_MS', 30_000, 300, 600_000),
    azureCallTimeoutMs: integer(env, 'AZURE_CALL_TIMEOUT_MS', 30_000, 100, 600_000),
    workerShutdownMs: integer(env, 'WORKER_SHUTDOWN_MS', 10_000, 0, 600_000),
    runRetentionSeconds: integer(env, 'RUN_RETENTION_SECONDS', 7 * 86_400, 1, 3650 * 86_400),
    tombstoneRetentionSeconds: integer(env, 'TOMBSTONE_RETENTION_SECONDS', 30 * 86_400, 1, 3650 * 86_400),
    logMaxLines: integer(env, 'LOG_MAX_LINES', 10_000, 1, 1_000_000),
    logHeartbeatMs: integer(env, 'LOG_HEARTBEAT_MS', 15_000, 100, 600_000),
    queueShards: integer(env, 'QUEUE_SHARDS', 1, 1, 256),
    redisClusterNodes: clusterNodes(env),
    credentialFailureGraceSeconds: decimal(env, 'CREDENTIAL_FAILURE_GRACE_SECONDS', 3600, 0),
    metricsPort: integer(env, 'METRICS_PORT', 0, 0, 65535),
    metricsPublic: boolean(env, 'METRICS_PUBLIC'),
    webhooks: {
      allowPrivate: boolean(env, 'WEBHOOK_ALLOW_PRIVATE'),
      timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      retryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 1000, 10, 5000),
      retryMaxMs: integer(env, 'WEBHOOK_RETRY_MAX_MS', 3_600_000, 100, 86_400_000),
      retryForMs: integer(env, 'WEBHOOK_RETRY_FOR_SECONDS', 86_400, 1, 7 * 86_400) * 1000,
      pollMs: integer(env, 'WEBHOOK_POLL_MS', 500, 10, 60_000),
    },
  };
}

/** The environment with some values set by the program itself (the demo). */
export function loadConfigWith(overrides: Env, defaults: Env = {}): Config {
  return loadConfig({ ...defaults, ...process.env, ...overrides });
}

export function parseRole(arg: string | undefined): Role {
  const role = arg ?? 'all';
  if (role === 'api' || role === 'worker' || role === 'all') return role;
  throw new ConfigError('role argument', 'api, worker or all', role);
}

export interface EmulatorConfig {
  host: string;
  port: number;
  timeScale: number;
  /** EMULATOR_SETTINGS: a JSON object of emulator settings (quotas, limits, log caps…), checked by the emulator. */
  settings: Record<string, unknown>;
}

function jsonObject(env: Env, name: string): Record<string, unknown> {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError(name, 'a JSON object', raw);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(name, 'a JSON object', raw);
  return value as Record<string, unknown>;
}

/** Settings of `npm run emulator` (no API keys needed); the demo runs it 10× faster by default. */
export function loadEmulatorConfig(env: Env = process.env, defaults = { timeScale: 1 }): EmulatorConfig {
  return {
    host: env.EMULATOR_HOST || '127.0.0.1',
    port: integer(env, 'EMULATOR_PORT', 8443, 0, 65535),
    timeScale: decimal(env, 'EMULATOR_TIME_SCALE', defaults.timeScale, 0.0001),
    settings: jsonObject(env, 'EMULATOR_SETTINGS'),
  };
}

/** Settings of `npm run bench`. */
export function loadBenchConfig(env: Env = process.env): { runs: number; concurrency: number } {
  return { runs: integer(env, 'BENCH_RUNS', 200, 1, 100_000), concurrency: integer(env, 'BENCH_CONCURRENCY', 20, 1, 1000) };
}

/** Settings of `npm run bench:api`. */
export function loadApiBenchConfig(env: Env = process.env) {
  return {
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    connections: integer(env, 'BENCH_CONNECTIONS', 50, 1, 10_000),
    roundSeconds: integer(env, 'BENCH_ROUND_SECONDS', 5, 1, 600),
    rounds: integer(env, 'BENCH_ROUNDS', 3, 1, 100),
    memoryRuns: integer(env, 'BENCH_MEMORY_RUNS', 2000, 50, 1_000_000),
  };
}

/** Where the demo looks for Redis before starting its own (REDIS_URL, as for every role). */
export function loadDemoRedisUrl(env: Env = process.env): string {
  return url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']);
}
