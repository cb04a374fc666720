-- unlock.lua: release a write-through lock only if it still holds our token.
-- KEYS[1] the lock   ARGV[1] our token
-- Reply: 1 released, 0 the lock was not ours (expired, or taken over after expiry)
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
