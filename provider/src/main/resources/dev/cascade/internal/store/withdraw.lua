-- withdraw.lua: take back a cache's record that one attempt at opening the cache wrote (it failed
-- to open, or the reply to register.lua was lost). The record names the attempt that wrote it; a
-- record another attempt wrote, even with the same settings, stays.
-- KEYS[1] the cache's meta hash   ARGV[1] the field naming the attempt   ARGV[2] this attempt
-- Reply: 1 when the record was deleted, else 0
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
