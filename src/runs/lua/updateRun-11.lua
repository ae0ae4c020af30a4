--[[
  Compare-and-set of a run with every side effect of the change, in one step.
  KEYS: 1 record, 2 spec, 3 logs, 4 active, 5 transitions, 6 expiring, 7 tombstones,
        8 tombstone expiry, 9 change outbox, 10 change sequences,
        11 pool slots (only when in this slot; else the caller releases it)
  ARGV: 1 expected version, 2 doc (JSON), 3 state, 4 cleanup state ('' for none),
        5 '1' when the state is final, 6 id, 7 now (ms), 8 run retention (ms),
        9 tombstone, 10 tombstone retention (ms; '' keeps it until its group is gone),
        11 history length
  Returns the new version, 0 when the version moved (read again), -1 when the run is gone.
]]
local stored = redis.call('HMGET', KEYS[1], 'v', 's', 'c')
local version, before, cleanupBefore = stored[1], stored[2], stored[3]
if not version then return -1 end
if version ~= ARGV[1] then return 0 end
local next = tonumber(version) + 1
redis.call('HSET', KEYS[1], 'v', next, 'doc', ARGV[2], 's', ARGV[3], 'c', ARGV[4])
local id = ARGV[6]
if before ~= ARGV[3] then
  redis.call('HINCRBY', KEYS[5], ARGV[3], 1)
  -- A state change enters the outbox in the same step (webhooks, see changes.ts).
  redis.call('ZADD', KEYS[9], ARGV[7], id)
  redis.call('HSET', KEYS[10], id, ARGV[11])
end
if ARGV[5] == '1' then
  -- A final run frees its pool slot at once.
  if KEYS[11] then redis.call('SREM', KEYS[11], id) end
  local settled = ARGV[4] ~= 'pending'
  local settledBefore = cleanupBefore == 'done' or cleanupBefore == 'kept'
  if settled and not settledBefore then
    -- Cleaned up: the spec (secrets) goes now; the rest after the retention period.
    local expires = tonumber(ARGV[7]) + tonumber(ARGV[8])
    redis.call('SREM', KEYS[4], id)
    redis.call('DEL', KEYS[2])
    redis.call('PEXPIREAT', KEYS[1], expires)
    redis.call('PEXPIREAT', KEYS[3], expires)
    redis.call('ZADD', KEYS[6], expires, id)
    redis.call('HSET', KEYS[7], id, ARGV[9])
    if ARGV[10] == '' then
      redis.call('ZREM', KEYS[8], id)
    else
      redis.call('ZADD', KEYS[8], expires + tonumber(ARGV[10]), id)
    end
  end
end
return next
