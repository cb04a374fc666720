-- destroyed.lua: the mark that stands in place of a destroyed cache's record (destroyCache), so
-- that every JVM that has the cache open learns that it was destroyed, even one that missed the
-- notice on the control channel, and does not take the missing record for one that Redis lost (a
-- restart without persistence, FLUSHALL, an eviction), which it would write again.
--
-- The mark's fields: 'destroyed' (when, Redis time in ms); 'deleting:<token>' per destroyCache
-- still deleting the cache's keys (the Redis time its lease ends: renewed as it goes, so that one
-- whose JVM died stops counting); 'finished' once a destroyCache deleted every key. register.lua
-- lets createCache replace the mark only when it says 'finished' and no lease is live: the
-- deletion would take a new cache's keys too, and a destroy that stopped halfway left keys of the
-- old cache (destroyCache again finishes it). The mark cannot expire while a destroy runs, and
-- expires a while after the last one ended.
--
-- KEYS[1] the cache's meta hash
-- ARGV[1] 'begin', 'renew', 'end' (every key deleted) or 'abort' (stopped halfway: gives the lease
--         back, says nothing is finished)
-- ARGV[2] this destroyCache's token   ARGV[3] the lease (ms)   ARGV[4] the mark's TTL once ended (ms)
-- Reply: 1, or 0 when there is no mark to renew, end or abort (it was lost or replaced meanwhile)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = 'deleting:' .. ARGV[2]
if ARGV[1] == 'begin' then
  if redis.call('HEXISTS', KEYS[1], 'destroyed') == 0 then
    redis.call('DEL', KEYS[1])
    redis.call('HSET', KEYS[1], 'destroyed', tostring(now))
  end
  redis.call('HDEL', KEYS[1], 'finished')
  redis.call('HSET', KEYS[1], lease, tostring(now + tonumber(ARGV[3])))
  redis.call('PERSIST', KEYS[1])
  return 1
end
if redis.call('HEXISTS', KEYS[1], 'destroyed') == 0 then
  return 0
end
if ARGV[1] == 'renew' then
  redis.call('HSET', KEYS[1], lease, tostring(now + tonumber(ARGV[3])))
  redis.call('PERSIST', KEYS[1])
  return 1
end
redis.call('HDEL', KEYS[1], lease)
if ARGV[1] == 'end' then
  redis.call('HSET', KEYS[1], 'finished', tostring(now))
end
-- once some destroy deleted every key, the mark expires its TTL after the last live lease ends
-- (another destroy that still runs renews and so keeps it; one whose JVM died lets it expire);
-- before that it stays: the old cache's keys may be left
local last = now
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 9) == 'deleting:' then
    local ends = tonumber(fields[i + 1])
    if ends > now then
      last = math.max(last, ends)
    else
      redis.call('HDEL', KEYS[1], fields[i]) -- a destroyCache whose JVM stopped
    end
  end
end
if redis.call('HEXISTS', KEYS[1], 'finished') == 1 then
  redis.call('PEXPIRE', KEYS[1], last - now + tonumber(ARGV[4]))
end
return 1
