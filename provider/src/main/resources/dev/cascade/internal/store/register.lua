-- register.lua: record a cache's settings once, and tell later JVMs what was recorded.
-- KEYS[1] the cache's meta hash   ARGV field, value, field, value, ...
-- Reply: {} when this call created the record, else the record as {field, value, ...}
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('HGETALL', KEYS[1])
end
redis.call('HSET', KEYS[1], unpack(ARGV))
return {}
