-- plain.lua: one plain command on each of many entries, for caches whose entries are plain (eternal,
-- no write-behind: the value field is all there is). getAll, putAll and removeAll send one script per
-- batch of keys instead of one command per key: Redis does the same work either way, but the client
-- pays per command (a future, its encoding, its reply), and on a busy machine that is the bulk of it.
-- Write-behind caches use it for two walks of clear() and removeAll(): 'clear' and 'has' below.
--
-- KEYS the entries' hashes   ARGV[1] 'get', 'set', 'del', 'has' or 'clear'   ARGV[i + 1] with 'set': the value of KEYS[i]
-- Reply: per key, in order: HGET's value (nil when absent), HSET's, DEL's, HEXISTS's or clear's integer (1 = created/deleted/present)
local op = ARGV[1]
local out = {}
if op == 'get' then
  for i = 1, #KEYS do
    out[i] = redis.call('HGET', KEYS[i], 'v')
  end
elseif op == 'set' then
  for i = 1, #KEYS do
    out[i] = redis.call('HSET', KEYS[i], 'v', ARGV[i + 1])
  end
elseif op == 'del' then
  for i = 1, #KEYS do
    out[i] = redis.call('DEL', KEYS[i])
  end
elseif op == 'has' then
  -- whether the entry holds a value (a write-behind hash may hold only its queued-write marker)
  for i = 1, #KEYS do
    out[i] = redis.call('HEXISTS', KEYS[i], 'v')
  end
elseif op == 'clear' then
  -- clear() of a write-behind cache: an entry with a queued write (w) loses its value and expiry but
  -- keeps w, so it reads as absent and no load brings the table's older row back before the flush;
  -- ack.lua then deletes the emptied hash. Entries without w go at once.
  for i = 1, #KEYS do
    if redis.call('HEXISTS', KEYS[i], 'w') == 1 then
      out[i] = redis.call('HDEL', KEYS[i], 'v', 'x')
    else
      out[i] = redis.call('UNLINK', KEYS[i])
    end
  end
else
  return redis.error_reply('plain.lua: unknown operation ' .. tostring(op))
end
return out
