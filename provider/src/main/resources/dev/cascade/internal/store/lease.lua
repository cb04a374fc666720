-- lease.lua: the flush lease of one write-behind partition: one flusher at a time.
-- A lease is a key holding "<epoch>:<owner>"; the epoch (a counter in the same slot) grows with
-- every acquisition, so a token names one tenure and cannot be confused with a later one.
--
-- KEYS[1] the lease   KEYS[2] the epoch counter
-- ARGV[1] acquire | renew | release   ARGV[2] owner (acquire) or token (renew, release)   ARGV[3] ttl ms
-- Reply: acquire: the token (new, or this owner's current one), or false if another owner holds it
--        renew, release: 1 if the token held the lease, else 0
-- Runs over maxmemory (a flusher must keep and take leases to drain the queue that fills memory):
-- on Redis 7+ it is sent with the flag allow-oom (RedisAccess.evalOverMemoryLimit); before 7.0
-- Redis refuses a script over maxmemory only at its first write, and only if that write may grow
-- memory, so acquiring begins with a DEL (of a key just seen absent: a write that frees, never grows).
local mode = ARGV[1]
if mode == 'acquire' then
  local held = redis.call('GET', KEYS[1])
  if held then
    -- held by this owner: an acquire of ours whose reply a reconnect lost (the client sent it
    -- again), or a tenure this owner stopped renewing after a failed renewal; either way no other
    -- flusher has it, so the owner takes it back instead of waiting for it to expire
    local suffix = ':' .. ARGV[2]
    if string.sub(held, -#suffix) == suffix then
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return held
    end
    return false
  end
  redis.call('DEL', KEYS[1])
  local token = redis.call('INCR', KEYS[2]) .. ':' .. ARGV[2]
  redis.call('SET', KEYS[1], token, 'PX', ARGV[3])
  return token
end
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
  return 0
end
if mode == 'renew' then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
else
  redis.call('DEL', KEYS[1])
end
return 1
