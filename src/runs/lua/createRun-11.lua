--[[
  Creates a run with everything that must exist with it, or nothing.
  KEYS: 1 record, 2 spec, 3 index, 4 active, 5 transitions, 6 scopes, 7 tombstones, 8 pool version,
        9 change outbox, 10 change sequences, 11 intake (run ids whose BullMQ job a worker adds)
  ARGV: 1 id, 2 doc (mutable run fields, JSON), 3 submission (JSON), 4 state, 5 index score,
        6 sealed spec, 7 scope id, 8 sealed scope, 9 submission hash, 10 pool version rendered with
  Returns {1} created; {0, hash} a run with that id exists; {2, tombstone} it existed and expired;
          {3, version} the pool changed since the caller rendered (render again).
  No client JSON is decoded here: version, state and hash are fields of their own.
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {0, redis.call('HGET', KEYS[1], 'h') or ''}
end
local tombstone = redis.call('HGET', KEYS[7], ARGV[1])
if tombstone then return {2, tombstone} end
local poolVersion = redis.call('GET', KEYS[8]) or '0'
if ARGV[10] ~= '' and poolVersion ~= ARGV[10] then return {3, poolVersion} end
redis.call('HSET', KEYS[1], 'v', 0, 's', ARGV[4], 'c', '', 'h', ARGV[9], 'll', 0, 'lc', '', 'doc', ARGV[2], 'sub', ARGV[3])
redis.call('SET', KEYS[2], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('HINCRBY', KEYS[5], ARGV[4], 1)
redis.call('HSET', KEYS[6], ARGV[7], ARGV[8])
-- The first state change (PENDING) enters the outbox with the run (webhooks, see changes.ts).
redis.call('ZADD', KEYS[9], ARGV[5], ARGV[1])
redis.call('HSET', KEYS[10], ARGV[1], 1)
-- A worker's intake turns the id into the run's BullMQ job (src/execution/intake.ts).
redis.call('LPUSH', KEYS[11], ARGV[1])
return {1}
