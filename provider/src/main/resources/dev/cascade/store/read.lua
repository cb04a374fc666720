-- read.lua: read a partition's new write-behind records, only while holding its flush lease.
-- Fencing on reads: a flusher that lost its lease (a long pause, a partition from Redis) cannot
-- take new records into its name; only the records it read while it held the lease can be left
-- pending, and the next holder waits until they are idle long enough to claim them.
-- In step: the flusher says how many records it holds read and unacknowledged; if Redis has another
-- number pending for it, a failover has lost some of its reads or acknowledgements (they replicate
-- asynchronously), and it must read its pending records again before any new one, or an older
-- record brought back by the failover could reach the database after a newer one.
--
-- KEYS[1] the partition's stream   KEYS[2] the partition's flush lease
-- ARGV[1] the consumer group   ARGV[2] the consumer   ARGV[3] how many   ARGV[4] the lease token
-- ARGV[5] how many records the consumer holds unacknowledged, as it knows them
-- Reply: XREADGROUP's reply, -1 when the lease is not ours, -2 when the consumer is out of step
if redis.call('GET', KEYS[2]) ~= ARGV[4] then
  return -1
end
local mine = 0
local consumers = redis.call('XPENDING', KEYS[1], ARGV[1])[4]
if consumers then
  for _, c in ipairs(consumers) do
    if c[1] == ARGV[2] then
      mine = tonumber(c[2])
    end
  end
end
if mine ~= tonumber(ARGV[5]) then
  return -2
end
return redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[1], '>')
