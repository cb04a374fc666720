-- withdraw.lua: take back a cache's record that register.lua wrote, for a cache that then failed
-- to open; a record that differs from what that call wrote (the cache was destroyed and recorded
-- again meanwhile) stays.
-- KEYS[1] the cache's meta hash   ARGV field, value, field, value, ... as given to register.lua
-- Reply: 1 when the record was deleted, else 0
if redis.call('HLEN', KEYS[1]) * 2 ~= #ARGV then
  return 0
end
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[i + 1] then
    return 0
  end
end
redis.call('DEL', KEYS[1])
return 1
