-- mutate.lua: examine one cache entry, then change it, in one atomic step.
-- Every conditional JCache operation (put, putIfAbsent, replace, remove, getAndX, invoke's
-- apply) is this script with other arguments; Java never reads then writes without it.
--
-- KEYS[1]  the entry: a hash with v (encoded value) and x (logical expiry, epoch ms; absent = eternal)
-- KEYS[2]  the listener flag of the entry's partition: exists while a JVM listens to this cache;
--          its value is the grace (ms) that listener wants before Redis drops an expired entry
-- KEYS[3]  the entry's write-through lock (only read when ARGV[13] is not empty)
-- ARGV[1]  now, epoch ms, from the caller's clock (the clock that also judges x on plain reads)
-- ARGV[2]  condition: A any | N absent | P present | E present and v equals ARGV[3]
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
-- Reply: {status, old value or false, expired value or false}
--   C created | K not created: zero expiry | U updated | T touched | D deleted
--   F condition failed, entry present | M condition failed or nothing to do, entry absent
--   L the lock does not hold our token: nothing changed
-- An entry whose x has passed is deleted first, reported as the expired value (and published),
-- and then counts as absent.

local now = tonumber(ARGV[1])

if ARGV[13] ~= '' then
  if redis.call('GET', KEYS[3]) ~= ARGV[13] then
    return {'L', false, false}
  end
  redis.call('DEL', KEYS[3])
end

local flag = false
if ARGV[11] ~= '' then
  flag = redis.call('GET', KEYS[2])
end
local grace = tonumber(ARGV[10])
if flag and tonumber(flag) > grace then
  grace = tonumber(flag)
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

local function expire_at(at)
  redis.call('HSET', KEYS[1], 'x', at)
  redis.call('PEXPIREAT', KEYS[1], at + grace)
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

local cur = redis.call('HMGET', KEYS[1], 'v', 'x')
local v, x = cur[1], cur[2]
local expired = false
if v and x and tonumber(x) <= now then
  expired = v
  redis.call('DEL', KEYS[1])
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
else
  ok = v and v == ARGV[3] or false
end

local old = false
if ARGV[9] == '1' then
  old = v
end

if not ok then
  if v then
    apply(ARGV[8])
    return {'F', old, expired}
  end
  return {'M', false, expired}
end

local a = ARGV[4]
if a == 'D' then
  if not v then
    return {'M', false, expired}
  end
  redis.call('DEL', KEYS[1])
  publish('R', false, v)
  return {'D', old, expired}
elseif a == 'T' then
  if not v then
    return {'M', false, expired}
  end
  apply(ARGV[7])
  return {'T', old, expired}
end

-- a == 'S'
if v then
  redis.call('HSET', KEYS[1], 'v', ARGV[5])
  apply(ARGV[7])
  publish('U', ARGV[5], v)
  return {'U', old, expired}
end
if ARGV[6] == 'Z' then
  return {'K', false, expired}
end
redis.call('HSET', KEYS[1], 'v', ARGV[5])
if ARGV[6] ~= 'E' then
  expire_at(now + tonumber(ARGV[6]))
end
publish('C', ARGV[5], false)
return {'C', false, expired}
