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
-- ARGV[5 .. 4+N]          the record ids to acknowledge and delete
-- ARGV[5+N .. 4+N+#K-3]   for KEYS[4..], the id of the last record flushed for that entry
-- Reply: N acknowledged, or -1 when the lease is not ours (nothing changed)
-- Runs over maxmemory (it is what shrinks the queue): on Redis 7+ sent with the flag allow-oom
-- (RedisAccess.evalOverMemoryLimit); before 7.0, its first write (XACK) cannot grow memory, which
-- is all Redis checks of a script without flags.
if redis.call('GET', KEYS[2]) ~= ARGV[2] then
  return -1
end
local n = tonumber(ARGV[4])
-- unpack() passes its values on Lua's C stack, which takes about 8,000 (LUAI_MAXCSTACK): a batch
-- is acknowledged in slices, or a batchSize above that could never be acknowledged
local slice = 1000
for first = 1, n, slice do
  local ids = {}
  for i = first, math.min(n, first + slice - 1) do
    ids[#ids + 1] = ARGV[4 + i]
  end
  redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
  redis.call('XDEL', KEYS[1], unpack(ids))
end
local grace = tonumber(ARGV[3])
for _, g in ipairs(redis.call('HVALS', KEYS[3])) do
  if tonumber(g) > grace then
    grace = tonumber(g)
  end
end
for i = 4, #KEYS do
  local last = ARGV[4 + n + i - 3]
  local entry = redis.call('HMGET', KEYS[i], 'w', 'v', 'x')
  if entry[1] == last then
    -- this record was the entry's latest queued write: the entry is settled
    if not entry[2] then
      redis.call('DEL', KEYS[i])
    else
      redis.call('HDEL', KEYS[i], 'w')
      if entry[3] then
        redis.call('PEXPIREAT', KEYS[i], tonumber(entry[3]) + grace)
      end
    end
  end
end
return n
