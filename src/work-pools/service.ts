// Work pools: Prefect-compatible base job templates, checked on write, masked on read.
import { FULL_ACCESS, seesPool, type Access } from '../access.js';
import { AppError } from '../errors.js';
import { MASK, restoreMasked, valueAt } from '../secrets-mask.js';
import { checkBaseJobTemplate, defaultBaseJobTemplate } from '../templating/base-job-template.js';
import { BaseJobTemplateInvalid } from '../templating/errors.js';
import { maskWorkPool } from './masking.js';
import { DEFAULT_POOL, type WorkPool } from './model.js';
import type { WorkPoolStore } from './store.js';

export interface WorkPoolInput {
  base_job_template: unknown;
  description?: string | null;
  concurrency_limit?: number | null;
  on_quota?: 'wait' | 'fail';
  secret_env_names?: string[];
}

const EPOCH = '1970-01-01T00:00:00.000Z';
/** Pool changes remembered in the pool itself. */
const HISTORY_LENGTH = 50;

const notFound = (name: string) => new AppError('WORK_POOL_NOT_FOUND', 404, `Work pool "${name}" does not exist.`);

/** A pool ready for checking runs: its revision names the immutable copy the worker renders them with. */
export interface CompiledPool {
  pool: WorkPool;
  revision: string;
}

/** Revisions are immutable: a worker keeps the ones it opened (bounded). */
const REVISIONS_KEPT = 256;

export class WorkPoolService {
  /** Pools as last read, valid while the pool version is `cachedVersion` (checked by each create). */
  private readonly cache = new Map<string, Promise<CompiledPool & { version: string }>>();
  private cachedVersion?: string;
  private readonly revisions = new Map<string, WorkPool>();

  constructor(private readonly store: WorkPoolStore) {}

  /**
   * The pool for checking runs, read once per pool version: the template and its compiled
   * variables schema are reused until a create reports a newer version (see RunStore.create).
   * The pool is kept as a revision (once per version and process) before any run refers to it.
   */
  async compiled(name: string, access: Access = FULL_ACCESS): Promise<CompiledPool & { version: string }> {
    if (!seesPool(access, name)) throw notFound(name);
    if (this.cachedVersion === undefined) {
      this.cache.clear();
      this.cachedVersion = await this.store.version();
    }
    const version = this.cachedVersion;
    let compiled = this.cache.get(name);
    if (!compiled) {
      compiled = this.compile(name).then((found) => ({ ...found, version }));
      if (this.cachedVersion === version) this.cache.set(name, compiled);
      compiled.catch(() => this.cache.get(name) === compiled && this.cache.delete(name));
    }
    return compiled;
  }

  private async compile(name: string): Promise<CompiledPool> {
    const found = await this.store.getStored(name);
    if (!found && name !== DEFAULT_POOL) throw notFound(name);
    const pool = found?.pool ?? this.builtInDefault();
    const revision = await this.store.keepRevision(found?.stored ?? JSON.stringify(pool), pool);
    return { pool, revision };
  }

  /** The pool as it was when a run was checked against it (undefined when that revision is gone). */
  async atRevision(id: string): Promise<WorkPool | undefined> {
    const known = this.revisions.get(id);
    if (known) return known;
    const pool = await this.store.revision(id);
    if (pool) {
      if (this.revisions.size >= REVISIONS_KEPT) this.revisions.clear();
      this.revisions.set(id, pool);
    }
    return pool;
  }

  /** Forgets every cached pool; `version` is the pool version now in force, when known. */
  invalidate(version?: string): void {
    this.cache.clear();
    this.cachedVersion = version;
  }

  private builtInDefault(): WorkPool {
    return {
      name: DEFAULT_POOL,
      description: "Prefect's default Azure Container Instances base job template.",
      concurrency_limit: null,
      on_quota: 'wait',
      base_job_template: defaultBaseJobTemplate(),
      secret_env_names: [],
      created: EPOCH,
      updated: EPOCH,
    };
  }

  /** The pool with its secrets, for rendering runs. A pool the caller cannot see does not exist for them. */
  async find(name: string, access: Access = FULL_ACCESS): Promise<WorkPool> {
    if (!seesPool(access, name)) throw notFound(name);
    const pool = (await this.store.get(name)) ?? (name === DEFAULT_POOL ? this.builtInDefault() : undefined);
    if (!pool) throw notFound(name);
    return pool;
  }

  async get(name: string, access: Access = FULL_ACCESS): Promise<WorkPool> {
    return maskWorkPool(await this.find(name, access));
  }

  async list(access: Access = FULL_ACCESS): Promise<WorkPool[]> {
    const pools = await this.store.list();
    if (!pools.some((p) => p.name === DEFAULT_POOL)) pools.push(this.builtInDefault());
    return pools
      .filter((p) => seesPool(access, p.name))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(maskWorkPool);
  }

  /**
   * Creates or replaces. A mask sent back in place of a secret keeps the stored secret, but only
   * where the new pool still treats that value as secret: otherwise it would become readable.
   */
  async put(name: string, input: WorkPoolInput, access: Access = FULL_ACCESS): Promise<{ pool: WorkPool; created: boolean }> {
    if (!seesPool(access, name)) throw notFound(name);
    const existing = await this.store.get(name);
    const restored: string[] = [];
    const shown = existing ? maskWorkPool(existing).base_job_template : undefined;
    let template;
    try {
      template = checkBaseJobTemplate(restoreMasked(input.base_job_template, existing?.base_job_template, shown, restored));
    } catch (err) {
      if (err instanceof BaseJobTemplateInvalid) {
        throw new AppError('VALIDATION_FAILED', 400, err.message, [...err.problems]);
      }
      throw err;
    }
    const now = new Date().toISOString();
    const pool: WorkPool = {
      name,
      description: input.description ?? null,
      concurrency_limit: input.concurrency_limit ?? null,
      on_quota: input.on_quota ?? 'wait',
      base_job_template: template,
      secret_env_names: input.secret_env_names ?? [],
      created: existing?.created ?? now,
      updated: now,
      history: [...(existing?.history ?? []), { at: now, action: existing ? 'replaced' : 'created', by: access.actor } as const].slice(-HISTORY_LENGTH),
    };
    const masked = maskWorkPool(pool);
    const unmasked = restored.filter((path) => valueAt(masked.base_job_template, path) !== MASK);
    if (unmasked.length > 0) {
      throw new AppError(
        'VALIDATION_FAILED',
        400,
        'A ******** stands where the new template no longer marks a secret; send the value itself there, or keep it secret.',
        unmasked.map((path) => ({ path: `/base_job_template${path}`, message: 'is not secret in this template: send the value, not ********' })),
      );
    }
    await this.store.put(pool);
    this.invalidate();
    return { pool: masked, created: !existing };
  }

  async delete(name: string, access: Access = FULL_ACCESS): Promise<void> {
    if (!seesPool(access, name)) throw notFound(name);
    if (name === DEFAULT_POOL) {
      throw new AppError('WORK_POOL_PROTECTED', 409, 'The default work pool cannot be deleted; PUT it to change its template.');
    }
    if (!(await this.store.delete(name))) throw notFound(name);
    this.invalidate();
  }
}
