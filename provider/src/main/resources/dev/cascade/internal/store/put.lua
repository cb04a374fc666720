-- put.lua: puts that need no examination but whose callers must know exactly whether each created
-- its entry: a plain HSET per put, with its reply kept in the operation log (oplog.lua), as
-- mutate.lua does. For caches whose entries never expire and are never queued (eternal, no
-- write-behind, no writer), with listeners in this JVM that want no old value, while no other JVM
-- listens: their puts need nothing of mutate.lua but its log, which a resent plain HSET lacks (its
-- reply would say "updated" for an entry its first send created).
-- One call carries the puts that several threads made while the previous call was on the wire
-- (LoggedPuts), with one log for all of them: the script's fixed cost and the log's four commands
-- are paid once per call, and each put costs one HSET. A call runs its puts in the order given, so
-- two puts of one key in a call report "created" at most once.
--
-- KEYS[1]    this JVM's operation log, in the slot of every entry of the call
-- KEYS[i+1]  the entry of put i (a hash; field v is the encoded value)
-- ARGV[1]    the JVM's lowest operation id still waiting for a reply: smaller ids leave the log
-- ARGV[2]    how long (ms) the log outlives the JVM's last call
-- ARGV[3], ARGV[4]  the smallest and the largest operation id of the call
-- ARGV[2i+3] put i's new value
-- ARGV[2i+4] put i's operation id (unique per JVM, growing)
-- Reply: per put, in order, 1 if it created the entry, 0 if it updated it, or Redis's error message
-- (a key of another type in the entry's place): one put's error fails that put alone. A call sent
-- again (after a reconnect) finds its ids in the log: the script ran whole the first time, so it
-- changes nothing and answers what it answered then.

local log = KEYS[1]
local logged = {}
for _, done in ipairs(redis.call('ZRANGEBYSCORE', log, ARGV[3], ARGV[4])) do
  local colon = string.find(done, ':', 1, true)
  logged[string.sub(done, 1, colon - 1)] = string.sub(done, colon + 1)
end
local replies = {}
local entries = {}
for i = 1, #KEYS - 1 do
  local id = ARGV[2 * i + 4]
  if logged[id] then
    replies[i] = tonumber(logged[id]) or logged[id]
  else
    local created = redis.pcall('HSET', KEYS[i + 1], 'v', ARGV[2 * i + 3])
    replies[i] = type(created) == 'table' and created.err or created
    entries[#entries + 1] = id
    entries[#entries + 1] = id .. ':' .. replies[i]
  end
end
if #entries > 0 then
  oplog_trim(log, ARGV[1], ARGV[2])
  redis.call('ZADD', log, unpack(entries))
end
return replies
