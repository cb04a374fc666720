-- plain.lua: one plain command on each of many entries, for caches whose entries are plain (eternal,
-- no write-behind: the value field is all there is). getAll, putAll and removeAll send one script per
-- batch of keys instead of one command per key: Redis does the same work either way, but the client
-- pays per command (a future, its encoding, its reply), and on a busy machine that is the bulk of it.
--
-- KEYS the entries' hashes   ARGV[1] 'get', 'set' or 'del'   ARGV[i + 1] with 'set': the value of KEYS[i]
-- Reply: per key, in order: HGET's value (nil when absent), HSET's or DEL's integer (1 = created/deleted)
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
else
  return redis.error_reply('plain.lua: unknown operation ' .. tostring(op))
end
return out
