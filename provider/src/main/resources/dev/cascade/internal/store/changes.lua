-- changes.lua: changes of entries that need none of mutate.lua's extras, with their replies kept in
-- the operation log (oplog.lua) as mutate.lua keeps its own. For caches whose entries never expire
-- and are never queued (eternal, no write-behind, no writer), while no other JVM listens and no
-- listener here wants old values:
--   a put whose caller must know whether it created the entry (listeners in this JVM): condition
--     A, action S, a plain HSET whose reply a resend could not give again (it would say "updated"
--     for an entry its first send created);
--   the apply step of an entry processor (read, run the processor in the JVM, then this): condition
--     E or N, action S or D, a compare-and-set on the value.
-- One call carries the changes that several threads made while the previous call was on the wire
-- (LoggedChanges), with one log for all of them: the script's fixed cost and the log's four
-- commands are paid once per call. A call runs its changes in the order given, each seeing the ones
-- before it: two puts of one key in a call report "created" at most once.
--
-- KEYS[1]    this JVM's operation log, in the slot of every entry of the call
-- KEYS[i+1]  the entry of change i (a hash; field v is the encoded value)
-- ARGV[1]    the JVM's lowest operation id still waiting for a reply: smaller ids leave the log
-- ARGV[2]    how long (ms) the log outlives the JVM's last call
-- ARGV[3], ARGV[4]  the smallest and the largest operation id of the call
-- change i, from ARGV[5i]:
--   condition: A any | E the value equals the expected value | N the entry is absent
--   the expected value, for E
--   action: S set v to the new value | D delete the entry
--   the new value, for S
--   the operation id (unique per JVM, growing)
-- Reply: per change, in order, 1 created, 2 updated, 3 deleted, 0 the entry is not as expected
-- (nothing changed), or Redis's error message (a key of another type in the entry's place, out of
-- memory): one change's error fails that change alone. A call sent again (after a reconnect) finds
-- its ids in the log: the script ran whole the first time, so it changes nothing and answers what
-- it answered then.

-- Redis's error for one command (pcall's table), as the change's reply; nil when it succeeded
local function refused(reply)
  return type(reply) == 'table' and reply.err or nil
end

local function change(entry, condition, expected, action, value)
  if condition == 'A' and action == 'S' then
    local created = redis.pcall('HSET', entry, 'v', value)
    return refused(created) or (created == 1 and 1 or 2)
  end
  local v = redis.pcall('HGET', entry, 'v')
  if refused(v) then
    return refused(v)
  end
  if condition == 'N' and v or condition == 'E' and v ~= expected then
    return 0
  end
  if action == 'S' then
    return refused(redis.pcall('HSET', entry, 'v', value)) or (v and 2 or 1)
  elseif v then
    return refused(redis.pcall('DEL', entry)) or 3
  end
  return 0
end

local log = KEYS[1]
local logged = {}
for _, done in ipairs(redis.call('ZRANGEBYSCORE', log, ARGV[3], ARGV[4])) do
  local colon = string.find(done, ':', 1, true)
  logged[string.sub(done, 1, colon - 1)] = string.sub(done, colon + 1)
end
local replies = {}
local entries = {}
for i = 1, #KEYS - 1 do
  local at = 5 * i
  local id = ARGV[at + 4]
  if logged[id] then
    replies[i] = tonumber(logged[id]) or logged[id]
  else
    replies[i] = change(KEYS[i + 1], ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3])
    entries[#entries + 1] = id
    entries[#entries + 1] = id .. ':' .. replies[i]
  end
end
if #entries > 0 then
  oplog_keep_many(log, ARGV[1], ARGV[2], entries)
end
return replies
