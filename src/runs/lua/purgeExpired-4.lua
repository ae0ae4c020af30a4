--[[
  Drops what retention has expired from one shard: index entries of runs past their retention
  (their record and logs expire on their own) and tombstones past theirs.
  KEYS: 1 index, 2 expiring, 3 tombstones, 4 tombstone expiry
  ARGV: 1 now (ms), 2 most entries per call
  Returns the ids of the runs whose retention ended.
]]
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
local gone = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(gone) do
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
end
return ids
