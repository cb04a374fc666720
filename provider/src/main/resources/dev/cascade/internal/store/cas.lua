-- cas.lua: change one entry only if it is still as the caller saw it, with the reply logged: the
-- apply step of an entry processor (read, run the processor in the JVM, then this) on a cache whose
-- entries never expire and are never queued (eternal, no write-behind, no writer), when nobody in
-- another JVM listens and no listener here wants old values. mutate.lua does the same and more
-- (expiry, queueing, listener marks, publishing, old values): this is its subset that such a cache
-- needs, with 7 arguments instead of 23, and its operation log kept the same way.
--
-- KEYS[1]  the entry (a hash; field v is the encoded value)
-- KEYS[2]  this JVM's operation log in the entry's partition (oplog.lua)
-- ARGV[1]  condition: E the value equals ARGV[2] | N the entry is absent
-- ARGV[2]  the expected value, for E
-- ARGV[3]  action: S set v to ARGV[4] | D delete the entry
-- ARGV[4]  the new value, for S
-- ARGV[5]  the operation id (unique per JVM, growing)
-- ARGV[6]  the JVM's lowest operation id still waiting for a reply: smaller ids leave the log
-- ARGV[7]  how long (ms) the log outlives the JVM's last call
-- Reply: 1 created, 2 updated, 3 deleted, 0 the entry is not as seen (nothing changed). A repeated
-- operation id (the client sent the call again after a reconnect) changes nothing and answers what
-- the first call answered.

local done = oplog_replay(KEYS[2], ARGV[5])
if done then
  return tonumber(done)
end
local v = redis.call('HGET', KEYS[1], 'v')
local result = 0
if (ARGV[1] == 'N' and not v) or (ARGV[1] == 'E' and v == ARGV[2]) then
  if ARGV[3] == 'S' then
    redis.call('HSET', KEYS[1], 'v', ARGV[4])
    result = v and 2 or 1
  elseif v then
    redis.call('DEL', KEYS[1])
    result = 3
  end
end
oplog_keep(KEYS[2], ARGV[5], ARGV[6], ARGV[7], result)
return result
