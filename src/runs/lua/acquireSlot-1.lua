--[[
  Takes one of a work pool's run slots.
  KEYS: 1 pool slots
  ARGV: 1 run id, 2 limit
  Returns 1 taken (or already held), 0 all taken.
]]
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('SADD', KEYS[1], ARGV[1])
  return 1
end
return 0
