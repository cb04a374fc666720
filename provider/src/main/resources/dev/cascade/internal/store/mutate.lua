-- mutate.lua: examine one cache entry, then change it, in one atomic step.
-- Every conditional JCache operation (put, putIfAbsent, replace, remove, getAndX, invoke's
-- apply, loads, the access step of reads) is this script with other arguments.
--
-- KEYS[1]  the entry: a hash with v (encoded value), x (logical expiry, epoch ms; absent = eternal)
--          and, in a write-behind cache, w (id of the queue record not yet flushed for it);
--          a hash with w but no v is a pending delete (a tombstone): absent for readers
-- KEYS[2]  the listeners of the entry's partition: a hash, one field per listening JVM (its origin),
--          whose value is the grace (ms) that JVM wants before Redis drops an expired entry
-- KEYS[3]  the entry's write-through lock (only read when ARGV[13] is not empty)
-- KEYS[4]  the write-behind stream of the entry's partition (only used when ARGV[14] is not empty)
-- ARGV[1]  now, epoch ms, from the caller's clock (the clock that also judges x on plain reads)
-- ARGV[2]  condition: A any | N absent | P present | E present and v equals ARGV[3]
--          | L absent and no write pending (a load) | O no write pending (a load that may replace)
--          | U absent and no write pending, failing as F (present) when a write is pending (a
--          replayed dead-lettered delete: a newer queued write of the key decides)
-- ARGV[3]  expected value, for E
-- ARGV[4]  action: S set v to ARGV[5] | D delete | T touch (apply the update expiry only)
-- ARGV[5]  new value, for S
-- ARGV[6]  expiry when the action creates the entry: E eternal | Z zero, do not store | <ms>
-- ARGV[7]  expiry when the action updates or touches: U unchanged | E | Z | <ms>
-- ARGV[8]  expiry when the condition fails on a present entry (an access): U | E | Z | <ms>
-- ARGV[9]  1 to return the old value
-- ARGV[10] grace (ms) added to the native TTL because this JVM listens for expiry events
-- ARGV[11] the cache's event channel ('' = never publish)
-- ARGV[12] origin: who makes the change, so its own JVM can ignore the published event
-- ARGV[13] lock token ('' = no lock): nothing changes unless the lock holds this token,
--          and the lock is released whatever the outcome
-- ARGV[14] write-behind: '' = off; else the queue bound of the partition (0 = none, -1 = ignore
--          the bound for this call); a put or delete then appends its record to KEYS[4]
-- ARGV[15] the encoded key, for the queue record
-- KEYS[5]  this JVM's operation log in the entry's partition (only used when ARGV[16] is not empty):
--          a sorted set of the replies of its recent calls, scored by operation id (oplog.lua)
-- ARGV[16] the operation id ('' = no log): unique per JVM, growing. A call whose id is in the log
--          already ran (the client sent it again after a reconnect): the logged reply is returned
--          and nothing changes, so every call takes effect once and reports what it did
-- ARGV[17] the JVM's lowest operation id still waiting for a reply: smaller ids are dropped from the log
-- ARGV[18] how long (ms) the log outlives the JVM's last call
-- Reply: {status, old value or false, expired value or false, 1 if a write-behind record of the
--        entry is still pending afterwards else 0, 1 if this call replaced a queued record else 0}
--   C created | K not created: zero expiry | U updated | T touched | D deleted
--   F condition failed, entry present | M condition failed or nothing to do, entry absent
--   L the lock does not hold our token: nothing changed
--   Q the write-behind queue of the partition is full: nothing changed
-- An entry whose x has passed is reaped first, reported as the expired value (and published),
-- and then counts as absent. Loads never replace a write that is still queued.

local function run()
  local now = tonumber(ARGV[1])
  local wb = ARGV[14] ~= ''

  if ARGV[13] ~= '' then
    if redis.call('GET', KEYS[3]) ~= ARGV[13] then
      return {'L', false, false, 0, 0}
    end
    redis.call('DEL', KEYS[3])
  end

  -- publish only when another JVM listens (this JVM's own listeners hear it directly)
  local flag = false
  local grace = tonumber(ARGV[10])
  if ARGV[11] ~= '' then
    local listeners = redis.call('HLEN', KEYS[2])
    if listeners > 0 then
      if redis.call('HEXISTS', KEYS[2], ARGV[12]) == 1 then
        listeners = listeners - 1
      end
      flag = listeners > 0
      for _, g in ipairs(redis.call('HVALS', KEYS[2])) do
        if tonumber(g) > grace then
          grace = tonumber(g)
        end
      end
    end
  end

  local function field(s)
    if s then
      return struct.pack('>I4', #s) .. s
    end
    return '\255\255\255\255'
  end

  local function publish(kind, new, old)
    if flag then
      redis.call('PUBLISH', ARGV[11], kind .. field(ARGV[12]) .. field(KEYS[1]) .. field(new) .. field(old))
    end
  end

  local cur = redis.call('HMGET', KEYS[1], 'v', 'x', 'w')
  local v, x, pending = cur[1], cur[2], cur[3]

  -- while a write of the entry is queued, the native TTL waits (ack.lua sets it after the flush),
  -- so an expiring entry cannot vanish, with its pending marker, before the database has seen it
  local function native_expire(at)
    if pending then
      redis.call('PERSIST', KEYS[1])
    else
      redis.call('PEXPIREAT', KEYS[1], at + grace)
    end
  end

  local function expire_at(at)
    redis.call('HSET', KEYS[1], 'x', at)
    native_expire(at)
  end

  -- apply an expiry spec to an entry that exists (after an update, touch or access)
  local function apply(spec)
    if spec == 'U' then
      return
    elseif spec == 'E' then
      redis.call('HDEL', KEYS[1], 'x')
      redis.call('PERSIST', KEYS[1])
    elseif spec == 'Z' then
      expire_at(now)
    else
      expire_at(now + tonumber(spec))
    end
  end

  -- The key's queued record that no flusher has read yet (the one enqueue below replaces), or nil.
  local function unread_record()
    if not pending or #redis.call('XRANGE', KEYS[4], pending, pending) == 0 then
      return nil
    end
    local read = redis.pcall('XPENDING', KEYS[4], 'cascade-flushers', pending, pending, 1)
    if read.err or #read > 0 then
      return nil
    end
    return pending
  end

  -- At the bound, a change that only replaces its key's unread record does not grow the queue.
  local function queue_full()
    local bound = tonumber(ARGV[14])
    return bound > 0 and redis.call('XLEN', KEYS[4]) >= bound and not unread_record()
  end

  -- Coalescing in the queue: a key keeps at most one record that no flusher has read yet. The
  -- new record replaces the key's previous one if that one is still unread (a record a flusher has
  -- read stays: it will be written, then this one), so a backlog holds one record per key, not one
  -- per write. 'cascade-flushers' is QueueStore.GROUP.
  -- The stream and its group can vanish under a running cache (a restart without persistence,
  -- FLUSHDB, an eviction): an XADD alone would bring the stream back without the group, and no
  -- flusher could ever read it. So a missing stream is created with its group, from the first id.
  local replaced = 0
  local function enqueue(op, value)
    if redis.call('EXISTS', KEYS[4]) == 0 then
      redis.call('XGROUP', 'CREATE', KEYS[4], 'cascade-flushers', '0', 'MKSTREAM')
    elseif pending then
      local read = redis.pcall('XPENDING', KEYS[4], 'cascade-flushers', pending, pending, 1)
      if read.err then
        -- the stream is there but its group is not: recreate it, every record is unread again
        redis.call('XGROUP', 'CREATE', KEYS[4], 'cascade-flushers', '0')
        read = {}
      end
      if #read == 0 then
        replaced = redis.call('XDEL', KEYS[4], pending)
      end
    end
    local id
    if value then
      id = redis.call('XADD', KEYS[4], '*', 'k', ARGV[15], 'o', op, 'v', value)
    else
      id = redis.call('XADD', KEYS[4], '*', 'k', ARGV[15], 'o', op)
    end
    redis.call('HSET', KEYS[1], 'w', id)
    redis.call('PERSIST', KEYS[1])
    pending = id
  end

  local function reply(status, old_value, expired_value)
    return {status, old_value, expired_value, pending and 1 or 0, replaced}
  end

  local expired = false
  if v and x and tonumber(x) <= now then
    expired = v
    if pending then
      -- the queued write still has to reach the database: keep its marker, drop the value
      redis.call('HDEL', KEYS[1], 'v', 'x')
    else
      redis.call('DEL', KEYS[1])
    end
    publish('X', false, v)
    v = false
  end

  local c = ARGV[2]
  local ok
  if c == 'A' then
    ok = true
  elseif c == 'N' then
    ok = not v
  elseif c == 'P' then
    ok = v and true or false
  elseif c == 'E' then
    ok = v and v == ARGV[3] or false
  elseif c == 'L' or c == 'U' then
    ok = not v and not pending
  else -- 'O'
    ok = not pending
  end

  local old = false
  if ARGV[9] == '1' then
    old = v
  end

  if not ok then
    if v then
      apply(ARGV[8])
      return reply('F', old, expired)
    end
    if c == 'U' then
      return reply('F', false, expired) -- absent, but a queued write of the key decides
    end
    return reply('M', false, expired)
  end

  local a = ARGV[4]
  local loading = c == 'L' or c == 'O'
  if a == 'T' then
    if not v then
      return reply('M', false, expired)
    end
    apply(ARGV[7])
    return reply('T', old, expired)
  end

  if a == 'D' then
    if wb then
      -- JCache: the writer deletes the key whether or not the cache holds it
      if queue_full() then
        return reply('Q', false, expired)
      end
      redis.call('DEL', KEYS[1])
      enqueue('d', false)
    elseif not v then
      return reply('M', false, expired)
    else
      redis.call('DEL', KEYS[1])
    end
    if not v then
      return reply('M', false, expired)
    end
    publish('R', false, v)
    return reply('D', old, expired)
  end

  -- a == 'S'
  if wb and not loading then
    if queue_full() then
      return reply('Q', false, expired)
    end
    -- JCache calls the writer even when a zero creation expiry keeps the entry out of the cache
    enqueue('p', ARGV[5])
  end
  if not v and ARGV[6] == 'Z' then
    return reply('K', false, expired)
  end
  redis.call('HSET', KEYS[1], 'v', ARGV[5])
  if v then
    apply(ARGV[7])
    publish('U', ARGV[5], v)
    return reply('U', old, expired)
  end
  if ARGV[6] ~= 'E' then
    expire_at(now + tonumber(ARGV[6]))
  end
  publish('C', ARGV[5], false)
  return reply('C', false, expired)
end

local logged = ARGV[16] ~= ''
if logged then
  local done = oplog_replay(KEYS[5], ARGV[16])
  if done then
    return cmsgpack.unpack(done)
  end
end
local result = run()
if logged then
  oplog_keep(KEYS[5], ARGV[16], ARGV[17], ARGV[18], cmsgpack.pack(result))
end
return result
