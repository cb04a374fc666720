-- lock.lua: take an entry's write-through lock (the plain SET NX PX, made safe to send twice).
-- A client sends a command again after a reconnect when its reply was lost; a plain SET NX sent
-- again would find the lock its first send took and answer "held by someone else", and the caller
-- would wait for its own lock until the lease expired. The token is new for every acquisition,
-- so "the lock holds my token" can only mean this caller took it.
--
-- KEYS[1] the lock   ARGV[1] the caller's token   ARGV[2] the lease, ms
-- Reply: 1 when the lock holds the caller's token now, else 0
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
