-- read.lua: read a partition's new write-behind records, only while holding its flush lease.
-- Fencing on reads: a flusher that lost its lease (a long pause, a partition from Redis) cannot
-- take new records into its name; only the records it read while it held the lease can be left
-- pending, and the next holder waits until they are idle long enough to claim them.
--
-- KEYS[1] the partition's stream   KEYS[2] the partition's flush lease
-- ARGV[1] the consumer group   ARGV[2] the consumer   ARGV[3] how many   ARGV[4] the lease token
-- Reply: XREADGROUP's reply, or -1 when the lease is not ours
if redis.call('GET', KEYS[2]) ~= ARGV[4] then
  return -1
end
return redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[1], '>')
