-- register.lua: record a cache's settings once, and tell later JVMs what was recorded.
-- KEYS[1] the cache's meta hash
-- ARGV[1] what a destroyed cache's mark (destroyed.lua) is: '1' no record, replaced by this one
--         (createCache), unless the destroy is still deleting the cache's keys, which would
--         delete the new cache's too; '0' a record (getCache joining a cache that was there a
--         moment ago, and a JVM putting back a record Redis lost, must not bring back a cache
--         destroyed meanwhile)
-- ARGV[2], ARGV[3], ... field, value, field, value, ...
-- Reply: {} when this call created the record, else the record (or the mark) as {field, value, ...}
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[1] ~= '1' or redis.call('HEXISTS', KEYS[1], 'destroyed') == 0
      or redis.call('HEXISTS', KEYS[1], 'deleting') == 1 then
    return redis.call('HGETALL', KEYS[1])
  end
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return {}
