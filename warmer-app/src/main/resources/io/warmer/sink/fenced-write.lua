-- Applies one cache write, atomically; with fencing, only if it is newer than what the key holds.
-- KEYS[1] the cache key, KEYS[2] its version key (same hash slot; untouched without fencing)
-- ARGV[1] the write's version, zero-padded to 20 digits so that strings compare as numbers
-- ARGV[2] 'set' (a string), 'hset' (a hash, replaced whole) or 'del'
-- ARGV[3] the TTL in ms, '0' for none; ARGV[4] how long a deleted key keeps its version, in ms
-- ARGV[5] '1' to fence, '0' not to; ARGV[6] the string value, or ARGV[6..] the hash's field/value pairs
-- Returns 1 when applied, 0 when fenced (the key holds this version or a newer one).
local fenced = ARGV[5] == '1'
if fenced then
  local current = redis.call('GET', KEYS[2])
  if current and current >= ARGV[1] then
    return 0
  end
end
local op = ARGV[2]
local ttl = tonumber(ARGV[3])
if op == 'del' then
  redis.call('DEL', KEYS[1])
  if fenced then
    redis.call('SET', KEYS[2], ARGV[1], 'PX', tonumber(ARGV[4]))
  end
  return 1
end
if op == 'set' then
  if ttl > 0 then
    redis.call('SET', KEYS[1], ARGV[6], 'PX', ttl)
  else
    redis.call('SET', KEYS[1], ARGV[6])
  end
else
  -- Replace the whole hash, so a column that became NULL loses its field.
  redis.call('DEL', KEYS[1])
  if #ARGV > 5 then
    redis.call('HSET', KEYS[1], unpack(ARGV, 6))
    if ttl > 0 then
      redis.call('PEXPIRE', KEYS[1], ttl)
    end
  end
end
if fenced then
  if ttl > 0 then
    redis.call('SET', KEYS[2], ARGV[1], 'PX', ttl)
  else
    redis.call('SET', KEYS[2], ARGV[1])
  end
end
return 1
