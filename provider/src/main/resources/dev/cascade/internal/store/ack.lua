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
-- them, and XDEL only the ids at or above that bound. Else (a record acknowledged twice, a failover
-- that lost the group's state) delete exactly the ids, as they say nothing about the others.
local function below(a, b) -- stream id a < stream id b
  local da, db = string.find(a, '-', 1, true), string.find(b, '-', 1, true)
  local ma, mb = tonumber(string.sub(a, 1, da - 1)), tonumber(string.sub(b, 1, db - 1))
  if ma ~= mb then
    return ma < mb
  end
  return tonumber(string.sub(a, da + 1)) < tonumber(string.sub(b, db + 1))
end
local keep = 5 -- the first of ARGV's ids to XDEL
if n > 0 and acked == n then
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
for first = keep, last, slice do
  call('XDEL', KEYS[1], unpack(ARGV, first, math.min(last, first + slice - 1)))
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
  if entry[1] == ARGV[last + i - 3] then
    -- this record was the entry's latest queued write: the entry is settled
    call('HDEL', KEYS[i], 'w')
    if entry[2] then
      call('PEXPIREAT', KEYS[i], tonumber(entry[2]) + grace)
    end
  end
end
return n
