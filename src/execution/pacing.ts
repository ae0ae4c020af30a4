// ARM read pacing per principal, shared by every worker process through Redis: a token bucket that
// answers "go" or "try again in N ms" (a step then reschedules itself instead of sleeping).
// Watching may not take the last quarter of the bucket: that reserve keeps submissions, provisioning
// and cleanup moving when many running groups are being watched.
import type { RedisClient } from '../redis.js';

const TAKE = `
local tokens = tonumber(redis.call('HGET', KEYS[1], 't'))
local updated = tonumber(redis.call('HGET', KEYS[1], 'u'))
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local reserve = tonumber(ARGV[5])
if tokens == nil then tokens = capacity; updated = now end
tokens = math.min(capacity, tokens + (now - updated) * rate / 1000)
if tokens - want >= reserve then
  tokens = tokens - want
  redis.call('HSET', KEYS[1], 't', tokens, 'u', now)
  redis.call('PEXPIRE', KEYS[1], 3600000)
  return 0
end
redis.call('HSET', KEYS[1], 't', tokens, 'u', now)
redis.call('PEXPIRE', KEYS[1], 3600000)
return math.ceil((want + reserve - tokens) * 1000 / rate)`;

export class ReadPacer {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly readsPerSecond: number,
    // Below ARM's 250-read burst at the default 20 reads/s, so pacing, not throttling, sets the pace.
    private readonly burst = Math.max(1, readsPerSecond * 8),
  ) {}

  /** 0 when `reads` may be made now; otherwise the milliseconds to wait. */
  async take(principal: string, reads: number, purpose: 'watch' | 'lifecycle'): Promise<number> {
    const key = `${this.prefix}:pace:${principal}`;
    const reserve = purpose === 'watch' ? this.burst / 4 : 0;
    const args = [Date.now(), this.readsPerSecond, this.burst, reads, reserve].map(String);
    return (await this.redis.eval(TAKE, 1, key, ...args)) as number;
  }
}
