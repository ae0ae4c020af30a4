--[[
  Creates the runs of one batch, each with everything that must exist with it, or nothing. A batch is
  one shard's: every key shares the shard's tag (one slot of a Redis Cluster).
  KEYS: 1 index, 2 active, 3 transitions, 4 scopes, 5 tombstones, 6 pool version, 7 change outbox,
        8 change sequences, 9 intake (run ids whose BullMQ job a worker adds); then per run: record, spec
  ARGV: per run, nine values: id, doc (mutable run fields, JSON), submission (JSON), state, index score,
        sealed spec, submission hash, pool version rendered with, scope (its place in the batch's scope
        list, from 1); then the batch's scopes, each once: scope id, sealed scope
  Returns two values per run, in order: 1, '' created; 0, hash a run with that id exists (also an id
          repeated in the batch); 2, tombstone it existed and expired; 3, version the pool changed
          since the caller rendered (render again).
  No client JSON is decoded here: version, state and hash are fields of their own. Redis checks its
  memory limit at a script's first write only, so a run is never left half-written by it.
]]
local results = {}
local poolVersion = redis.call('GET', KEYS[6]) or '0'
local runs = (#KEYS - 9) / 2
local scopesAt = 9 * runs
local scopeWritten = {}
for i = 0, runs - 1 do
  local record, spec, a = KEYS[10 + 2 * i], KEYS[11 + 2 * i], 9 * i
  local id = ARGV[a + 1]
  local tombstone
  if redis.call('EXISTS', record) == 1 then
    results[#results + 1] = 0
    results[#results + 1] = redis.call('HGET', record, 'h') or ''
  else
    tombstone = redis.call('HGET', KEYS[5], id)
    if tombstone then
      results[#results + 1] = 2
      results[#results + 1] = tombstone
    elseif ARGV[a + 8] ~= '' and poolVersion ~= ARGV[a + 8] then
      results[#results + 1] = 3
      results[#results + 1] = poolVersion
    else
      local state, score = ARGV[a + 4], ARGV[a + 5]
      redis.call('HSET', record, 'v', 0, 's', state, 'c', '', 'h', ARGV[a + 7], 'll', 0, 'lc', '', 'doc', ARGV[a + 2], 'sub', ARGV[a + 3])
      redis.call('SET', spec, ARGV[a + 6])
      redis.call('ZADD', KEYS[1], score, id)
      redis.call('SADD', KEYS[2], id)
      redis.call('HINCRBY', KEYS[3], state, 1)
      local scope = tonumber(ARGV[a + 9])
      if not scopeWritten[scope] then
        redis.call('HSET', KEYS[4], ARGV[scopesAt + 2 * scope - 1], ARGV[scopesAt + 2 * scope])
        scopeWritten[scope] = true
      end
      -- The first state change (PENDING) enters the outbox with the run (webhooks, see changes.ts).
      redis.call('ZADD', KEYS[7], score, id)
      redis.call('HSET', KEYS[8], id, 1)
      -- A worker's intake turns the id into the run's BullMQ job (src/execution/intake.ts).
      redis.call('LPUSH', KEYS[9], id)
      results[#results + 1] = 1
      results[#results + 1] = ''
    end
  end
end
return results
