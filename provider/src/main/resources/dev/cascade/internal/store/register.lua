-- register.lua: record a cache's settings once, and tell later JVMs what was recorded.
-- KEYS[1] the cache's meta hash
-- ARGV[1] what a destroyed cache's mark (destroyed.lua) is: '1' no record, replaced by this one
--         (createCache), once a destroyCache has deleted every key of the old cache and none is
--         still deleting; '0' a record (getCache joining a cache that was there a moment ago, and
--         a JVM putting back a record Redis lost, must not bring back a cache destroyed meanwhile)
-- ARGV[2], ARGV[3], ... field, value, field, value, ...
-- Reply: {} when this call created the record, else the record (or the mark) as {field, value, ...}
local function replaceable(mark)
  if redis.call('HEXISTS', mark, 'destroyed') == 0 or redis.call('HEXISTS', mark, 'finished') == 0 then
    return false
  end
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local fields = redis.call('HGETALL', mark)
  for i = 1, #fields, 2 do
    if string.sub(fields[i], 1, 9) == 'deleting:' and tonumber(fields[i + 1]) > now then
      return false
    end
  end
  return true
end

if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[1] ~= '1' or not replaceable(KEYS[1]) then
    return redis.call('HGETALL', KEYS[1])
  end
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return {}
