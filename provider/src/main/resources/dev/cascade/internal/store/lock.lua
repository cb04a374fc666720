-- lock.lua: take an entry's write-through lock (the plain SET NX PX, made safe to send twice), and
-- optionally read the entry in the same step.
-- A client sends a command again after a reconnect when its reply was lost; a plain SET NX sent
-- again would find the lock its first send took and answer "held by someone else", and the caller
-- would wait for its own lock until the lease expired. The token is new for every acquisition,
-- so "the lock holds my token" can only mean this caller took it.
-- With the entry (KEYS[2]), a single-key change of a write-through cache costs one round trip less:
-- what it must read before deciding is read here, under the lock it has just taken. A resent call
-- answers "yours" and reads the entry again, so the caller always gets the entry as it is now,
-- while it holds the lock (the lock key and the entry share one hash tag, so one slot).
--
-- KEYS[1] the lock   KEYS[2] (optional) the entry
-- ARGV[1] the caller's token   ARGV[2] the lease, ms
-- Reply without KEYS[2]: 1 when the lock holds the caller's token now, else 0
-- Reply with KEYS[2]: {1, v, x, w} (HMGET of the entry; nil for a missing field) when the lock
--   holds the caller's token now, else {0}
local mine = false
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  mine = true
elseif redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  mine = true
end
if KEYS[2] == nil then
  return mine and 1 or 0
end
if not mine then
  return {0}
end
local f = redis.call('HMGET', KEYS[2], 'v', 'x', 'w')
return {1, f[1], f[2], f[3]}
