--[[
  Appends log lines and moves the read cursor together: a repeated read (same cursor) adds nothing.
  KEYS: 1 record, 2 logs (stream)
  ARGV: 1 cursor the lines were read after ('' for the start), 2 cursor after them,
        3 most lines kept, then timestamp, line, timestamp, line, ...
  Returns the run's line count, or -1 when the run is gone or its cursor moved on.
]]
local record = redis.call('HMGET', KEYS[1], 'v', 'lc')
if not record[1] then return -1 end
if (record[2] or '') ~= ARGV[1] then return -1 end
for i = 4, #ARGV, 2 do
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], '*', 't', ARGV[i], 'l', ARGV[i + 1])
end
redis.call('HSET', KEYS[1], 'lc', ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return redis.call('HINCRBY', KEYS[1], 'll', (#ARGV - 3) / 2)
