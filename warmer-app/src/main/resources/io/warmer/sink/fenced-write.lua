-- Applies a cache write only if it is newer than what the key holds (see FencedWrites).
-- KEYS[1] the cache key, KEYS[2] its version key (same hash slot)
-- ARGV[1] the write's version, zero-padded to 20 digits so that strings compare as numbers
-- ARGV[2] 'set' or 'del'; ARGV[3] the value; ARGV[4] its TTL in ms, '0' for none
-- ARGV[5] how long a deleted key keeps its version, in ms
-- Returns 1 when applied, 0 when fenced (the key holds this version or a newer one).
local current = redis.call('GET', KEYS[2])
if current and current >= ARGV[1] then
  return 0
end
if ARGV[2] == 'set' then
  local ttl = tonumber(ARGV[4])
  if ttl > 0 then
    redis.call('SET', KEYS[1], ARGV[3], 'PX', ttl)
    redis.call('SET', KEYS[2], ARGV[1], 'PX', ttl)
  else
    redis.call('SET', KEYS[1], ARGV[3])
    redis.call('SET', KEYS[2], ARGV[1])
  end
else
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], ARGV[1], 'PX', tonumber(ARGV[5]))
end
return 1
