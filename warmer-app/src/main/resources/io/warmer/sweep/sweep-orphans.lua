-- Removes keys that no row accounts for after a table's snapshot: KEYS are pairs of a cache key and its version key
-- (one hash slot per call); ARGV[1] is the version every value written for an existing row since the snapshot began
-- is at or above, ARGV[2] how long a removed key keeps its version (ms). A key whose version is older is removed,
-- and its version key raised to ARGV[1], so that a replay of older changes cannot bring it back; anything at or above
-- ARGV[1] was written since, and is left. Returns how many keys were removed.
-- A set's or sorted set's version key is a hash of its members' versions: each older member is removed alone, and
-- counted.
-- ARGV[3], when above 0, is a capped sorted set's cap: KEYS are then triples, the third the key's rest key (the
-- members beyond the cap, see fenced-writes.lua). An older member is removed from either; then the highest of the
-- rest take the places of those the key showed.
local cap = tonumber(ARGV[3] or '0')
local stride = cap > 0 and 3 or 2
local removed = 0
for i = 1, #KEYS, stride do
  if redis.call('TYPE', KEYS[i + 1]).ok == 'hash' then
    local sorted = redis.call('TYPE', KEYS[i]).ok == 'zset'
    local versions = redis.call('HGETALL', KEYS[i + 1])
    for j = 1, #versions, 2 do
      local member, version = versions[j], versions[j + 1]
      if version < ARGV[1] then
        if cap > 0 then
          removed = removed + redis.call('ZREM', KEYS[i], member) + redis.call('ZREM', KEYS[i + 2], member)
        elseif sorted then
          removed = removed + redis.call('ZREM', KEYS[i], member)
        else
          removed = removed + redis.call('SREM', KEYS[i], member)
        end
        redis.call('HSET', KEYS[i + 1], member, ARGV[1])
      end
    end
    if cap > 0 then
      local shown = redis.call('ZCARD', KEYS[i])
      if shown < cap then
        local up = redis.call('ZPOPMAX', KEYS[i + 2], cap - shown)
        for j = 1, #up, 2 do
          redis.call('ZADD', KEYS[i], up[j + 1], up[j])
        end
      end
    end
    if redis.call('EXISTS', KEYS[i]) == 0 then
      redis.call('PEXPIRE', KEYS[i + 1], ARGV[2])
    end
  else
    local version = redis.call('GET', KEYS[i + 1])
    if version and version < ARGV[1] then
      removed = removed + redis.call('DEL', KEYS[i])
      redis.call('SET', KEYS[i + 1], ARGV[1], 'PX', ARGV[2])
    end
  end
end
return removed
