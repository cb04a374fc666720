-- read.lua: read a partition's new write-behind records, only while holding its flush lease.
-- Only while Redis is over maxmemory: a flusher reads with WATCH and MULTI/EXEC otherwise
-- (QueueStore.readNew: the same checks, without converting the batch into Lua values and back),
-- but over maxmemory Redis refuses every command queued in a MULTI.
-- Fencing on reads: a flusher that lost its lease (a long pause, a partition from Redis) cannot
-- take new records into its name; only the records it read while it held the lease can be left
-- pending, and the next holder waits until they are idle long enough to claim them.
-- In step: the flusher says which records it holds read and unacknowledged; if Redis has others
-- pending for it, a failover has lost some of its reads or acknowledgements (they replicate
-- asynchronously), and it must read its pending records again before any new one, or an older
-- record brought back by the failover could reach the database after a newer one. Ids, not a count:
-- the promoted replica may have as many records pending for it, but older ones.
--
-- KEYS[1] the partition's stream   KEYS[2] the partition's flush lease
-- ARGV[1] the consumer group   ARGV[2] the consumer   ARGV[3] how many   ARGV[4] the lease token
-- ARGV[5] '>' to read new records, '0' to read again those the consumer holds (which starts their
--         idle time again: QueueStore.readHeldAgain)
-- ARGV[6..] the ids of the records the consumer holds unacknowledged, as it knows them
-- A missing stream is nothing to read; a stream whose group is missing (Redis lost it while the
-- stream came back) gets the group again, from the first id, so its records are read.
-- Reply: XREADGROUP's reply, -1 when the lease is not ours, -2 when the consumer is out of step
if redis.call('GET', KEYS[2]) ~= ARGV[4] then
  return -1
end
local mine = 0
local stream = redis.call('EXISTS', KEYS[1]) == 1
if stream then
  local summary = redis.pcall('XPENDING', KEYS[1], ARGV[1])
  if summary.err then
    -- the group vanished (recreated stream, FLUSHDB, eviction): bring it back, from the first id
    redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0')
  elseif summary[4] then
    for _, c in ipairs(summary[4]) do
      if c[1] == ARGV[2] then
        mine = tonumber(c[2])
      end
    end
  end
end
local held = #ARGV - 5
if mine ~= held then
  return -2
end
if held > 0 then
  local ids = {}
  for i = 6, #ARGV do
    ids[ARGV[i]] = true
  end
  for _, p in ipairs(redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', held + 1, ARGV[2])) do
    if not ids[p[1]] then
      return -2
    end
  end
end
if not stream then
  return false -- nothing queued (mutate.lua creates the stream with its group)
end
return redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[1],
  ARGV[5])
