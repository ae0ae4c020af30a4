// Runs in Redis (layout in keys.ts, scripts in lua/). Every change is one script that checks the
// run's version and applies the change with all its side effects, so a crash between two writes
// cannot leave a run half-made, a pool slot taken, or the active set wrong. The version, state and
// cleanup state are fields of their own: no script ever decodes client JSON.
import { hash } from 'node:crypto';
import { newRunJson, splitRun, type Doc, type NewRunJson, type Submitted } from './run-json.js';
import type { RedisClient } from '../redis.js';
import type { LogCursor } from '../execution/log-lines.js';
import { KeyLayout } from './keys.js';
import { isTerminal, RUN_STATES, type Run, type RunSpec, type RunState } from './model.js';
import type { Sealer } from './seal.js';
import { storeScripts, type StoreScripts } from './scripts.js';
import { TickBatch } from './tick-batch.js';

export interface LogLine {
  /** RFC 3339 timestamp as Azure wrote it. */
  ts: string;
  line: string;
}

/** A stored log line with its stream id (where a follower resumes). */
export interface StoredLogLine extends LogLine {
  id: string;
}

/** Longest line kept whole; longer lines are cut and marked. */
export const MAX_LINE_BYTES = 16 * 1024;
export const CUT_MARKER = ' [line cut by aci-flow-runner: longer than 16 KB]';

/** Where runs put container groups, with the credentials to look there (for the orphan sweeper). */
export type Scope = Pick<RunSpec, 'subscription_id' | 'resource_group_name' | 'credentials'>;

/** What remains of a run after its retention: enough to refuse deploying it again. */
export interface Tombstone {
  submission_hash: string;
  state: RunState;
  cleanup: 'done' | 'kept';
}

export type CreateResult =
  | { kind: 'created' }
  | { kind: 'exists'; submission_hash: string }
  | { kind: 'expired'; tombstone: Tombstone }
  | { kind: 'stale-pool'; version: string };

export interface StoreOptions {
  /** How long a final, cleaned-up run is kept (record, logs, index entry). */
  retentionSeconds: number;
  /** How long a tombstone outlives its run. */
  tombstoneRetentionSeconds: number;
  logMaxLines: number;
  /** Shards of runs (= queue shards). */
  shards: number;
  /** On a Redis Cluster, scripts may only touch keys of one slot. */
  cluster: boolean;
}

export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  retentionSeconds: 7 * 86_400,
  tombstoneRetentionSeconds: 30 * 86_400,
  logMaxLines: 10_000,
  shards: 1,
  cluster: false,
};

const scopeOf = (spec: RunSpec): Scope => ({
  subscription_id: spec.subscription_id,
  resource_group_name: spec.resource_group_name,
  credentials: spec.credentials,
});
/** A shard's creates go to Redis once this many wait (or at the end of the turn); measured in BENCHMARKS.md. */
const CREATES_SENT_AT = 8;
/** Scopes are few (one per subscription, resource group and principal): each is hashed and sealed once. */
const SCOPES_KEPT = 1_000;

const FIELDS = ['v', 's', 'c', 'h', 'll', 'lc', 'doc', 'sub'] as const;
type Fields = (string | null)[];

function joinRun(f: Fields): Run | undefined {
  const [v, s, , h, ll, lc, doc, sub] = f;
  if (v === null || doc === null || sub === null) return undefined;
  return {
    ...(JSON.parse(doc) as Doc),
    ...(JSON.parse(sub) as Submitted),
    state: s as RunState,
    version: Number(v),
    submission_hash: h ?? '',
    log_lines: Number(ll ?? 0),
    ...(lc ? { log_cursor: JSON.parse(lc) as LogCursor } : {}),
  } as Run;
}

/** Cuts a line over MAX_LINE_BYTES (on a character boundary) and says so. */
export function capLine(line: string): string {
  if (line.length * 3 <= MAX_LINE_BYTES || Buffer.byteLength(line) <= MAX_LINE_BYTES) return line;
  const room = MAX_LINE_BYTES - Buffer.byteLength(CUT_MARKER);
  const cut = Buffer.from(line).subarray(0, room).toString('utf8').replace(/\uFFFD$/, '');
  return cut + CUT_MARKER;
}

export class RunStore {
  readonly keys: KeyLayout;
  private readonly scripts: StoreScripts;
  private readonly options: StoreOptions;
  /** Sealed scopes already made, by the scope's text (sealing is not deterministic: the first is kept). */
  private readonly sealedScopes = new Map<string, [string, string]>();
  private readonly scopesByCredentials = new WeakMap<object, Map<string, [string, string]>>();
  /** Creates of one turn of the event loop go to Redis as one script call per shard (see create). */
  private readonly creates: TickBatch<{ shard: number; record: string; spec: string; argv: string[]; scope: [string, string] }, [number, string?]>;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly sealer: Sealer,
    options: Partial<StoreOptions> = {},
  ) {
    this.options = { ...DEFAULT_STORE_OPTIONS, ...options };
    this.keys = new KeyLayout(prefix, this.options.shards);
    this.scripts = storeScripts(redis);
    this.creates = new TickBatch({
      groupOf: (item) => item.shard,
      // Eight at a time at most waiting for the end of the turn: Redis stores the first while the API
      // parses the next (docs/run-store.md, the create path).
      sendAt: CREATES_SENT_AT,
      // One script call for the batch (one command, not a pipeline of one per run): less work on both ends.
      send: async (items) => {
        const shared = this.keys.shardKeys(items[0].shard);
        const keys = [shared.index, shared.active, shared.transitions, shared.scopes, shared.tombstones, shared.poolVersion, shared.changes, shared.changeSequence, shared.intake];
        const args: string[] = [];
        // Runs of a batch mostly share a scope: each scope is sent once, and each run names its place.
        const scopes = new Map<[string, string], number>();
        for (const item of items) {
          keys.push(item.record, item.spec);
          let place = scopes.get(item.scope);
          if (place === undefined) scopes.set(item.scope, (place = scopes.size + 1));
          args.push(...item.argv, String(place));
        }
        for (const [id, sealed] of scopes.keys()) args.push(id, sealed);
        const answers = (await this.scripts.createRuns(keys.length, ...keys, ...args)) as (number | string)[] | null;
        if (!Array.isArray(answers) || answers.length !== 2 * items.length) throw new Error('Redis did not answer every create of the batch.');
        return items.map((_, i) => [Number(answers[2 * i]), (answers[2 * i + 1] as string) || undefined] as [number, string?]);
      },
    });
  }

  get logMaxLines(): number {
    return this.options.logMaxLines;
  }

  private shardKeys() {
    return this.keys.allShards().map((shard) => this.keys.shardKeys(shard));
  }

  /** How many runs entered each state, ever (for /metrics). */
  async transitionCounts(): Promise<Record<string, number>> {
    const totals: Record<string, number> = {};
    for (const raw of await Promise.all(this.shardKeys().map((k) => this.redis.hgetall(k.transitions)))) {
      for (const [state, n] of Object.entries(raw)) totals[state] = (totals[state] ?? 0) + Number(n);
    }
    return totals;
  }

  async unfinishedCount(): Promise<number> {
    const counts = await Promise.all(this.shardKeys().map((k) => this.redis.scard(k.active)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Takes one of the pool's run slots (true), or says they are all taken (false). When they are,
   * holders whose runs are final or gone are let go first: whatever crashed in between, a slot
   * never stays taken by a run that no longer needs it.
   */
  async acquireSlot(pool: string, runId: string, limit: number): Promise<boolean> {
    const { key } = this.keys.poolSlots(pool);
    if ((await this.scripts.acquireSlot(key, runId, String(limit))) === 1) return true;
    const holders = (await this.redis.smembers(key)).filter((id) => id !== runId);
    const states = await Promise.all(holders.map((id) => this.redis.hget(this.keys.run(id).record, 's')));
    const stale = holders.filter((_, i) => states[i] === null || isTerminal(states[i] as RunState));
    if (stale.length === 0) return false;
    await this.redis.srem(key, ...stale);
    return (await this.scripts.acquireSlot(key, runId, String(limit))) === 1;
  }

  /**
   * Stores a new run with its spec, index entry, active entry, counter and scope, all at once, and
   * puts its id on the shard's intake, from which a worker adds its BullMQ job (intake.ts).
   * `poolVersion` is the work-pool version the run was checked with ('' to skip the check); `json`, the
   * run's texts when the caller has them already (POST /runs answers from the same strings).
   */
  async create(run: Run, spec: RunSpec, poolVersion = '', json: Pick<NewRunJson, 'doc' | 'sub'> = newRunJson(run)): Promise<CreateResult> {
    const k = this.keys.run(run.id);
    // Concurrent creates of a shard share one script call (createRuns: one write, one read).
    const [code, value] = await this.creates.submit({
      shard: k.shard,
      record: k.record,
      spec: k.spec,
      argv: [run.id, json.doc, json.sub, run.state, String(Date.parse(run.submitted_at)), this.sealer.seal(spec), run.submission_hash, poolVersion],
      scope: this.sealedScope(spec),
    });
    if (code === 1) return { kind: 'created' };
    if (code === 0) return { kind: 'exists', submission_hash: value ?? '' };
    if (code === 2) return { kind: 'expired', tombstone: parseTombstone(value!) };
    return { kind: 'stale-pool', version: value ?? '0' };
  }

  /** The scope's id and sealed form (sealing is not deterministic: the first sealing is kept). */
  private sealedScope(spec: RunSpec): [string, string] {
    // Runs rendered from one cached job configuration share its credentials object: found without JSON.
    let byPlace = this.scopesByCredentials.get(spec.credentials);
    if (!byPlace) this.scopesByCredentials.set(spec.credentials, (byPlace = new Map()));
    const place = `${spec.subscription_id}\n${spec.resource_group_name}`;
    let known = byPlace.get(place);
    if (known) return known;
    const scope = scopeOf(spec);
    const text = JSON.stringify(scope);
    known = this.sealedScopes.get(text);
    if (!known) {
      if (this.sealedScopes.size >= SCOPES_KEPT) this.sealedScopes.clear();
      known = [hash('sha256', text, 'hex'), this.sealer.seal(scope)];
      this.sealedScopes.set(text, known);
    }
    if (byPlace.size < SCOPES_KEPT) byPlace.set(place, known);
    return known;
  }

  /** Waits up to `waitSeconds` on `blocking` (a connection of its own: the wait blocks it) for the oldest id on a shard's intake. */
  async waitForIntake(blocking: RedisClient, shard: number, waitSeconds: number): Promise<string | undefined> {
    return (await blocking.brpop(this.keys.shardKeys(shard).intake, waitSeconds))?.[1];
  }

  /** Takes up to `count` more ids from a shard's intake, oldest first. */
  async takeIntake(shard: number, count: number): Promise<string[]> {
    return (await this.redis.rpop(this.keys.shardKeys(shard).intake, count)) ?? [];
  }

  /** Runs stored whose job no worker has added yet (for /metrics). */
  async intakeLength(): Promise<number> {
    const lengths = await Promise.all(this.shardKeys().map((k) => this.redis.llen(k.intake)));
    return lengths.reduce((a, b) => a + b, 0);
  }

  /** Puts ids taken from the intake back (their jobs could not be added), to be taken first again. */
  async returnIntake(shard: number, ids: string[]): Promise<void> {
    if (ids.length) await this.redis.rpush(this.keys.shardKeys(shard).intake, ...[...ids].reverse());
  }

  /** What is left of a run whose retention ended (kept longer than the run itself). */
  async tombstone(id: string): Promise<Tombstone | undefined> {
    const raw = await this.redis.hget(this.keys.run(id).tombstones, id);
    return raw ? parseTombstone(raw) : undefined;
  }

  /** Every subscription, resource group and principal runs have used. */
  async scopes(): Promise<Scope[]> {
    const all = await Promise.all(this.shardKeys().map((k) => this.redis.hgetall(k.scopes)));
    const unique = new Map<string, string>();
    for (const hash of all) for (const [id, sealed] of Object.entries(hash)) unique.set(id, sealed);
    return [...unique.values()].map((sealed) => this.sealer.open<Scope>(sealed));
  }

  async get(id: string): Promise<Run | undefined> {
    return joinRun(await this.redis.hmget(this.keys.run(id).record, ...FIELDS));
  }

  async spec(id: string): Promise<RunSpec | undefined> {
    const raw = await this.redis.get(this.keys.run(id).spec);
    return raw ? this.sealer.open<RunSpec>(raw) : undefined;
  }

  /**
   * Applies `change` to the current run until it lands. `change` may return undefined to write
   * nothing. Returns the run as stored afterwards. Log lines and their cursor are not changed here
   * (see appendLogs). `known`, the run as the caller last read it, saves the first read: when it is
   * no longer current the compare-and-set fails and the run is read again.
   */
  async update(id: string, change: (run: Run) => Run | undefined, known?: Run): Promise<Run | undefined> {
    const k = this.keys.run(id);
    for (let assumed = known; ; assumed = undefined) {
      const current = assumed ?? (await this.get(id));
      if (!current) return undefined;
      const next = change(current);
      if (!next) return current;
      const stored: Run = { ...next, version: current.version + 1, log_lines: current.log_lines, log_cursor: current.log_cursor };
      const terminal = isTerminal(stored.state);
      const cleanup = stored.cleanup?.state ?? '';
      const slots = this.keys.poolSlots(stored.work_pool);
      // On a cluster a pool's slots may sit in another slot than the run: released right after.
      const slotInScript = !this.options.cluster || slots.shard === k.shard;
      const keys = [
        k.record, k.spec, k.logs, k.active, k.transitions, k.expiring, k.tombstones, k.tombstoneExpiry, k.changes, k.changeSequence,
        ...(slotInScript ? [slots.key] : []),
      ];
      const tombstone = `${stored.submission_hash}|${stored.state}|${cleanup}`;
      const result = (await this.scripts.updateRun(
        keys.length, ...keys,
        String(current.version), JSON.stringify(splitRun(stored).doc), stored.state, cleanup, terminal ? '1' : '0', id,
        String(Date.now()), String(this.options.retentionSeconds * 1000), tombstone,
        cleanup === 'kept' ? '' : String(this.options.tombstoneRetentionSeconds * 1000),
        String(stored.history.length),
      )) as number;
      if (result > 0) {
        if (terminal && !slotInScript) await this.redis.srem(slots.key, id);
        return stored;
      }
      if (result === -1) return undefined;
    }
  }

  /**
   * Of these runs, those still PENDING that were submitted at or after `since` (ms): their job is most
   * likely on its way (a worker's intake adds it within milliseconds). Two small reads per run.
   */
  async freshPending(ids: string[], since: number): Promise<Set<string>> {
    const seen = await Promise.all(
      ids.map(async (id) => {
        const k = this.keys.run(id);
        const [state, score] = await Promise.all([this.redis.hget(k.record, 's'), this.redis.zscore(k.index, id)]);
        return state === 'PENDING' && score !== null && Number(score) >= since;
      }),
    );
    return new Set(ids.filter((_, i) => seen[i]));
  }

  /** Ids of runs that are not finished (or still being cleaned up). */
  async activeIds(): Promise<string[]> {
    return (await Promise.all(this.shardKeys().map((k) => this.redis.smembers(k.active)))).flat();
  }

  /** Newest first, after `position` (runs submitted in the same millisecond are ordered by id). */
  async page(position: { score: number; id: string } | undefined, count: number): Promise<{ score: number; id: string }[]> {
    const max = position === undefined ? '+inf' : String(position.score);
    // Ask each shard for enough to get past the ties at position.score that were already returned.
    const perShard = await Promise.all(
      this.shardKeys().map((k) => this.redis.zrevrangebyscore(k.index, max, '-inf', 'WITHSCORES', 'LIMIT', 0, count + 50)),
    );
    const entries: { score: number; id: string }[] = [];
    for (const raw of perShard) {
      for (let i = 0; i < raw.length; i += 2) {
        const entry = { id: raw[i], score: Number(raw[i + 1]) };
        if (position && entry.score === position.score && entry.id >= position.id) continue;
        entries.push(entry);
      }
    }
    entries.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return entries.slice(0, count);
  }

  /** Runs in the order of the ids; undefined where a run is gone. */
  async getMany(ids: string[]): Promise<(Run | undefined)[]> {
    return Promise.all(ids.map((id) => this.get(id)));
  }

  /**
   * Appends lines read after `from` and moves the run's cursor to `to`, together. A repeated read
   * (the cursor already moved) adds nothing. Returns the run's line count, or undefined when
   * nothing was written.
   */
  async appendLogs(id: string, lines: LogLine[], from: LogCursor | undefined, to: LogCursor | undefined): Promise<number | undefined> {
    if (lines.length === 0) return undefined;
    const k = this.keys.run(id);
    const args = lines.flatMap((l) => [l.ts, capLine(l.line)]);
    const result = (await this.scripts.appendLogs(
      k.record, k.logs, from ? JSON.stringify(from) : '', to ? JSON.stringify(to) : '', String(this.options.logMaxLines), ...args,
    )) as number;
    return result >= 0 ? result : undefined;
  }

  /** Lines after stream id `after` (all kept lines without it), at most `count`. */
  async logs(id: string, after?: string, count?: number): Promise<StoredLogLine[]> {
    const key = this.keys.run(id).logs;
    const start = after ? `(${after}` : '-';
    const raw = count ? await this.redis.xrange(key, start, '+', 'COUNT', count) : await this.redis.xrange(key, start, '+');
    return raw.map(([streamId, fields]) => {
      const entry: StoredLogLine = { id: streamId, ts: '', line: '' };
      for (let i = 0; i < fields.length; i += 2) {
        if (fields[i] === 't') entry.ts = fields[i + 1];
        else if (fields[i] === 'l') entry.line = fields[i + 1];
      }
      return entry;
    });
  }

  /**
   * Writes a run carried over from the version-1 layout (see upgrade.ts): record, spec, index and
   * active entry together; no counter (the old counters are carried as they are). Its cleanup state is
   * left empty so that settleRestored applies retention to a finished run.
   */
  async restore(run: Run, sealedSpec: string | null, active: boolean): Promise<void> {
    const k = this.keys.run(run.id);
    const { doc, sub } = splitRun(run);
    const tx = this.redis
      .multi()
      .hset(k.record, 'v', run.version, 's', run.state, 'c', '', 'h', run.submission_hash, 'll', run.log_lines ?? 0, 'lc', run.log_cursor ? JSON.stringify(run.log_cursor) : '', 'doc', JSON.stringify(doc), 'sub', JSON.stringify(sub))
      .zadd(k.index, Date.parse(run.submitted_at), run.id);
    if (sealedSpec) tx.set(k.spec, sealedSpec);
    if (active) tx.sadd(k.active, run.id);
    await tx.exec();
  }

  async restoreLogs(id: string, lines: LogLine[]): Promise<void> {
    const k = this.keys.run(id);
    const pipeline = this.redis.pipeline();
    for (const l of lines) pipeline.xadd(k.logs, 'MAXLEN', String(this.options.logMaxLines), '*', 't', l.ts, 'l', capLine(l.line));
    await pipeline.exec();
  }

  /** A restored run that was final and cleaned up gets its retention and tombstone now. */
  async settleRestored(id: string): Promise<void> {
    await this.update(id, (run) => ({ ...run }));
  }

  /** Drops index entries and tombstones whose retention ended; returns the ids of expired runs. */
  async purgeExpired(now = Date.now(), batch = 1000): Promise<string[]> {
    const expired: string[] = [];
    for (const k of this.shardKeys()) {
      expired.push(...((await this.scripts.purgeExpired(k.index, k.expiring, k.tombstones, k.tombstoneExpiry, String(now), String(batch))) as string[]));
    }
    return expired;
  }
}

function parseTombstone(raw: string): Tombstone {
  const [submission_hash, state, cleanup] = raw.split('|');
  return { submission_hash, state: (RUN_STATES as readonly string[]).includes(state) ? (state as RunState) : 'COMPLETED', cleanup: cleanup === 'kept' ? 'kept' : 'done' };
}
