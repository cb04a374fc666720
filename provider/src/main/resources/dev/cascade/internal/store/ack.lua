-- ack.lua: after the writer returned, forget the flushed records of one partition.
-- Only the flusher that still holds the partition's lease may do it (fencing): a flusher that
-- lost its lease leaves the records pending, to be flushed again (delivery is at-least-once).
--
-- KEYS[1]   the partition's write-behind stream
-- KEYS[2]   the partition's flush lease
-- KEYS[3]   the listeners of the partition (origin -> grace), as in mutate.lua
-- KEYS[4..] the entries whose records were flushed
-- ARGV[1]   the consumer group
-- ARGV[2]   the lease token this flusher holds
-- ARGV[3]   grace (ms) this JVM wants for the native TTL of entries whose last queued write is now
--           flushed; the largest grace any listening JVM wants is used, as mutate.lua does
-- ARGV[4]   N, the number of record ids that follow
-- ARGV[5 .. 4+N]          the record ids to acknowledge and delete, in stream order (ascending)
-- ARGV[5+N .. 4+N+#K-3]   for KEYS[4..], the id of the last record flushed for that entry
-- Reply: N acknowledged, or -1 when the lease is not ours (nothing changed)
-- Runs over maxmemory (it is what shrinks the queue): on Redis 7+ sent with the flag allow-oom
-- (RedisAccess.evalOverMemoryLimit); before 7.0, its first write (XACK) cannot grow memory, which
-- is all Redis checks of a script without flags.
local call = redis.call
if call('GET', KEYS[2]) ~= ARGV[2] then
  return -1
end
local n = tonumber(ARGV[4])
local last = 4 + n
-- unpack() passes its values on Lua's C stack, which takes about 8,000 (LUAI_MAXCSTACK): a batch
-- is acknowledged in slices, or a batchSize above that could never be acknowledged
local slice = 1000
local acked = 0
for first = 5, last, slice do
  acked = acked + call('XACK', KEYS[1], ARGV[1], unpack(ARGV, first, math.min(last, first + slice - 1)))
end

-- Deleting: XDEL costs Redis about 1.5 us per id, trimming whole stream nodes almost nothing. When
-- every id was pending in this group (so delivered here, like every record before the greatest of
-- them: a group delivers in stream order, from the first id), all records below both the greatest
-- id and the oldest record still pending (of any consumer) are delivered and acknowledged: trim
-- them, and XDEL only the ids at or above that bound.
-- Else (a resent acknowledgement, or a failover to a replica that had not seen some of our reads or
-- acknowledgements) the ids say nothing about the records below them, and those above the group's
-- last delivered id were never delivered here: the promoted replica will deliver them again, after
-- the records its pending list brought back. Deleting (and settling) them now would let an older
-- record brought back reach the database after them, for good. So only ids the group delivered are
-- deleted and settled; the rest are written again, in order. A user whose ACL lacks XINFO GROUPS
-- gets the exact ids deleted and settled, as before this check.
local function below(a, b) -- stream id a < stream id b
  local da, db = string.find(a, '-', 1, true), string.find(b, '-', 1, true)
  local ma, mb = tonumber(string.sub(a, 1, da - 1)), tonumber(string.sub(b, 1, db - 1))
  if ma ~= mb then
    return ma < mb
  end
  return tonumber(string.sub(a, da + 1)) < tonumber(string.sub(b, db + 1))
end
-- the group's last delivered id; '0-0' without the group (it will deliver every record again);
-- nil without the stream (no record will come again: the ids were written, their entries settle)
-- or when Redis refuses XINFO GROUPS
local function last_delivered()
  local groups = redis.pcall('XINFO', 'GROUPS', KEYS[1])
  if type(groups) ~= 'table' or groups.err then
    return nil
  end
  for _, g in ipairs(groups) do
    local name, id
    for j = 1, #g - 1, 2 do
      if g[j] == 'name' then
        name = g[j + 1]
      elseif g[j] == 'last-delivered-id' then
        id = g[j + 1]
      end
    end
    if name == ARGV[1] then
      return id
    end
  end
  return '0-0'
end
local delivered = nil -- in the fallback: ids above it were never delivered here
local function was_delivered(id)
  return delivered == nil or not below(delivered, id)
end
local doomed = {} -- the ids to XDEL
if acked == n then
  local keep = 5 -- the first of ARGV's ids to XDEL
  if n > 0 then
    local bound = ARGV[last]
    local oldest = call('XPENDING', KEYS[1], ARGV[1])[2]
    if oldest and below(oldest, bound) then
      bound = oldest
    end
    -- pcall: a script does not roll back, and the XACK above has run; a Redis that refuses XTRIM
    -- (a user whose ACL predates it) must still see the ids deleted, or they would stay in the
    -- stream acknowledged, counted by XLEN against the queue bound, forever
    local trimmed = redis.pcall('XTRIM', KEYS[1], 'MINID', bound)
    if type(trimmed) == 'number' then
      keep = last + 1
      while keep > 5 and not below(ARGV[keep - 1], bound) do
        keep = keep - 1
      end
    end
  end
  for i = keep, last do
    doomed[#doomed + 1] = ARGV[i]
  end
else
  delivered = last_delivered()
  for i = 5, last do
    if was_delivered(ARGV[i]) then
      doomed[#doomed + 1] = ARGV[i]
    end
  end
end
for first = 1, #doomed, slice do
  call('XDEL', KEYS[1], unpack(doomed, first, math.min(#doomed, first + slice - 1)))
end

local grace = tonumber(ARGV[3])
for _, g in ipairs(call('HVALS', KEYS[3])) do
  if tonumber(g) > grace then
    grace = tonumber(g)
  end
end
-- Settling an entry: its value is not needed (HMGET of v would copy every value into Lua), and a
-- pending delete (a hash of w alone) disappears with its last field, as Redis drops empty hashes.
for i = 4, #KEYS do
  local entry = call('HMGET', KEYS[i], 'w', 'x')
  if entry[1] == ARGV[last + i - 3] and was_delivered(entry[1]) then
    -- this record was the entry's latest queued write: the entry is settled
    call('HDEL', KEYS[i], 'w')
    if entry[2] then
      call('PEXPIREAT', KEYS[i], tonumber(entry[2]) + grace)
    end
  end
end
return n
