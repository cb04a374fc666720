-- destroyed.lua: put a mark in place of a destroyed cache's record (destroyCache), so that every
-- JVM that has the cache open learns that it was destroyed, even one that missed the notice on the
-- control channel, and does not take the missing record for one that Redis lost (a restart
-- without persistence, FLUSHALL, an eviction), which it would record again. The mark says
-- 'deleting' until the destroy has deleted the cache's keys (then HDEL): until then no createCache
-- replaces it (register.lua), as the deletion would take the new cache's keys too. The mark
-- expires; a createCache replaces it once it no longer says 'deleting'.
-- KEYS[1] the cache's meta hash   ARGV[1] when it was destroyed (epoch ms)   ARGV[2] the mark's TTL (ms)
-- Reply: 1 when marked, 0 when a mark was there already (it keeps its time, and says 'deleting'
-- again: a second destroyCache finishes what a first one left halfway)
if redis.call('HEXISTS', KEYS[1], 'destroyed') == 1 then
  redis.call('HSET', KEYS[1], 'deleting', '1')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'destroyed', ARGV[1], 'deleting', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
