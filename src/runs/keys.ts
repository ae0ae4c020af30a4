// Where everything lives in Redis. Keys carry hash tags so that every script touches one slot of a
// Redis Cluster: a run's own keys and the structures that must change with it (index, active set,
// counters, scopes, retention) share the tag of the run's shard; work pools share the prefix's tag.
// QUEUE_PREFIX is given without braces; the tags are added here and nowhere else.

/** FNV-1a: a stable, cheap spread of ids over shards (same answer in every process). */
function spread(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export interface RunKeys {
  shard: number;
  record: string;
  spec: string;
  logs: string;
  index: string;
  active: string;
  transitions: string;
  scopes: string;
  expiring: string;
  tombstones: string;
  tombstoneExpiry: string;
  poolVersion: string;
  changes: string;
  changeSequence: string;
  changeLeases: string;
  intake: string;
}

export class KeyLayout {
  /** Work pools and other configuration that never expires. */
  readonly shared: string;

  constructor(
    readonly prefix: string,
    readonly shards = 1,
  ) {
    this.shared = `{${prefix}}`;
  }

  shardOf(name: string): number {
    return this.shards === 1 ? 0 : spread(name) % this.shards;
  }

  /** The tag of one shard: its run keys and its BullMQ queue share it. */
  shardTag(shard: number): string {
    return `{${this.prefix}:${shard}}`;
  }

  /** Structures kept once per shard (each in its shard's slot). */
  shardKeys(shard: number) {
    const t = this.shardTag(shard);
    return {
      index: `${t}:index`,
      active: `${t}:active`,
      transitions: `${t}:transitions`,
      scopes: `${t}:scopes`,
      expiring: `${t}:expiring`,
      tombstones: `${t}:tombstones`,
      tombstoneExpiry: `${t}:tombstone-expiry`,
      /** Bumped on every work-pool change; a create checks it so no process renders with a stale pool. */
      poolVersion: `${t}:pool-version`,
      /** The outbox of state changes (see changes.ts): run id → when to look, history length, lease. */
      changes: `${t}:changes`,
      changeSequence: `${t}:change-seq`,
      changeLeases: `${t}:change-leases`,
      /** Runs just created whose BullMQ job is still to be added by a worker's intake (intake.ts). */
      intake: `${t}:intake`,
    };
  }

  run(id: string): RunKeys {
    const shard = this.shardOf(id);
    const t = this.shardTag(shard);
    return { shard, record: `${t}:run:${id}`, spec: `${t}:run:${id}:spec`, logs: `${t}:run:${id}:logs`, ...this.shardKeys(shard) };
  }

  /** A pool's taken run slots live in the shard its name falls in. */
  poolSlots(pool: string): { shard: number; key: string } {
    const shard = this.shardOf(pool);
    return { shard, key: `${this.shardTag(shard)}:pool-slots:${pool}` };
  }

  /** BullMQ prefix of queue shard `shard`: BullMQ puts it in front of every key of that queue. */
  queuePrefix(shard: number): string {
    return this.shardTag(shard);
  }

  get workPools(): string {
    return `${this.shared}:work-pools`;
  }

  /** Immutable copies of work pools, by revision id: what a run is rendered with in the worker. */
  get workPoolRevisions(): string {
    return `${this.shared}:work-pool-revisions`;
  }

  /** Set once the layout of this version is in place (see upgrade.ts). */
  get layoutMarker(): string {
    return `${this.shared}:layout`;
  }

  allShards(): number[] {
    return Array.from({ length: this.shards }, (_, i) => i);
  }
}
