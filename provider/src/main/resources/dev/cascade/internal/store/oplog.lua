-- oplog.lua: the operation log. Not a script of its own: Script puts it before the body of
-- mutate.lua and changes.lua, so the two keep the log one way.
-- A client sends a call again when a reconnect lost its reply (Lettuce resends what was in
-- flight). A call that changes an entry and reports what it did (created or updated, the old
-- value) would report something else the second time, so each JVM keeps the replies of its recent
-- calls in a sorted set per partition, scored by operation id (unique per JVM, growing): a call
-- whose id is there already ran, changes nothing and answers what it answered then.
--
-- oplog_replay(log, id)  the reply logged for operation id (a string), or nil: the call is new
-- oplog_keep(log, id, lowest, ttl, reply)  logs reply (a string) for id, drops the ids below
--   lowest (the JVM's lowest id still waiting for a reply: those are never sent again) and lets
--   the log expire ttl ms after the JVM's last call
-- oplog_keep_many(log, lowest, ttl, entries)  oplog_keep for the replies of many calls with one
--   ZADD (changes.lua); entries as ZADD takes them: score (the id), member (id:reply), ...
-- The expiry is set after the ZADD, never before: a trim that removes every id leaves the log
-- empty, Redis deletes the empty key, and a PEXPIRE before the ZADD would miss the key the ZADD
-- then creates: the log of a JVM calling one at a time would never expire.

local function oplog_replay(log, id)
  local done = redis.call('ZRANGEBYSCORE', log, id, id)
  if done[1] then
    return string.sub(done[1], #id + 2)
  end
  return nil
end

local function oplog_keep_many(log, lowest, ttl, entries)
  redis.call('ZREMRANGEBYSCORE', log, '-inf', '(' .. lowest)
  redis.call('ZADD', log, unpack(entries))
  redis.call('PEXPIRE', log, ttl)
end

local function oplog_keep(log, id, lowest, ttl, reply)
  oplog_keep_many(log, lowest, ttl, {id, id .. ':' .. reply})
end
