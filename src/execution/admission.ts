// Admission to a work pool with a concurrency limit: a slot set (the runs holding a slot) and a FIFO
// of the runs waiting, ordered by submission. A run that finds the pool full queues once and sleeps;
// whoever frees a slot hands it to the head of the queue in the same script and wakes that run's job,
// so admission needs no polling and a freed slot starts the next run at once.
import type { RedisClient } from '../redis.js';
import { luaScript } from '../redis-script.js';
import type { KeyLayout } from '../runs/keys.js';

// Shared by both scripts: give free slots to the head of the queue; returns the runs admitted.
const FILL = `
local function fill(slots, queue, limit)
  local admitted = {}
  while redis.call('SCARD', slots) < limit do
    local head = redis.call('ZRANGE', queue, 0, 0)[1]
    if not head then break end
    redis.call('ZREM', queue, head)
    redis.call('SADD', slots, head)
    admitted[#admitted + 1] = head
  end
  return admitted
end`;

// KEYS: slots, queue. ARGV: run id, limit, queue position. Returns {1 | 0, other admitted runs...}.
const ADMIT = `${FILL}
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return {1} end
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
local admitted = fill(KEYS[1], KEYS[2], tonumber(ARGV[2]))
local me = redis.call('SISMEMBER', KEYS[1], ARGV[1])
local others = {me}
for _, id in ipairs(admitted) do if id ~= ARGV[1] then others[#others + 1] = id end end
return others`;
const admit = luaScript('acifrAdmissionAdmit', 2, ADMIT);

// KEYS: slots, queue. ARGV: run id, limit. Returns the runs admitted to the freed slot(s).
const RELEASE = `${FILL}
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return fill(KEYS[1], KEYS[2], tonumber(ARGV[2]))`;
const releaseSlot = luaScript('acifrAdmissionRelease', 2, RELEASE);

export class PoolAdmission {
  constructor(
    private readonly redis: RedisClient,
    private readonly layout: KeyLayout,
  ) {}

  // The slot set is the one RunStore also clears when a run ends (keys.ts poolSlots); the queue sits
  // beside it under the same hash tag, so one script may touch both on a cluster.
  private keys = (pool: string) => {
    const { shard, key } = this.layout.poolSlots(pool);
    return [key, `${this.layout.shardTag(shard)}:pool-queue:${pool}`];
  };

  /** Whether the run holds a slot now; else it is queued (once) in submission order. Plus runs to wake. */
  async admit(pool: string, runId: string, limit: number, submittedAt: number): Promise<{ admitted: boolean; wake: string[] }> {
    const [me, ...wake] = (await admit(this.redis, ...this.keys(pool), runId, String(limit), String(submittedAt))) as [number, ...string[]];
    return { admitted: me === 1, wake };
  }

  /** Frees the run's slot (or queue place) and gives it to the next runs; returns them, to be woken. */
  async release(pool: string, runId: string, limit: number): Promise<string[]> {
    return (await releaseSlot(this.redis, ...this.keys(pool), runId, String(limit))) as string[];
  }
}
