-- Applies a batch of cache writes in order, each atomically; with fencing, each only if it is newer than
-- what its key holds. One call for many writes: Redis's cost per script call (and the client's per
-- command) is paid once per batch instead of once per write. All keys of a batch share one hash slot.
-- KEYS, per write in turn: the cache key and its version key (same hash slot; untouched without fencing), and
-- for a capped sorted set's member a third, the rest key: the members beyond the cap.
-- ARGV, per write in turn:
--   the write's version, zero-padded to 20 digits so that strings compare as numbers;
--   'set' (a string), 'hset' (a hash, replaced whole), 'del', or a member's 'sadd', 'srem', 'zadd', 'zrem';
--   the TTL in ms, '0' for none; how long a deleted key keeps its version, in ms;
--   '1' to fence, '0' not to; n, the number of value arguments that follow:
--   the string value (n = 1), the hash's field/value pairs (n = 2 x fields), nothing (n = 0), or the member
--   (n = 1; 'zadd': the member and its score, n = 2), followed for a capped sorted set by the cap (n = 2 for
--   'zrem', 3 for 'zadd').
-- A set's or sorted set's version key is a hash of each member's version: its members come from many rows, each
-- fenced on its own. Once the key is empty (Redis removed it) the versions are kept for the tombstone TTL.
-- A capped sorted set shows its cap's highest-scored members (ties: the greater member, as ZREVRANGE orders them)
-- and keeps the others in its rest key, so that when one it shows leaves or falls, the next one takes its place:
-- every write leaves the key holding the top members of the two keys' union, and the rest key only the others.
-- Returns, per write, 1 when applied and 0 when fenced (the key held this version or a newer one).

-- Moves the highest members of the rest key up until the key shows cap members, and the lowest down past it.
local function rebalance(key, restKey, cap)
  local shown = redis.call('ZCARD', key)
  if shown < cap then
    local up = redis.call('ZPOPMAX', restKey, cap - shown)
    for i = 1, #up, 2 do
      redis.call('ZADD', key, up[i + 1], up[i])
    end
  elseif shown > cap then
    local down = redis.call('ZPOPMIN', key, shown - cap)
    for i = 1, #down, 2 do
      redis.call('ZADD', restKey, down[i + 1], down[i])
    end
  end
end

local results = {}
local a, k, w = 1, 1, 0
while a <= #ARGV do
  w = w + 1
  local key, versionKey = KEYS[k], KEYS[k + 1]
  local version, op, ttl, tombstoneTtl = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local fenced, n = ARGV[a + 4] == '1', tonumber(ARGV[a + 5])
  local first = a + 6
  a = first + n
  local cap = (op == 'zadd' and n == 3 or op == 'zrem' and n == 2) and tonumber(ARGV[a - 1]) or 0
  local restKey = KEYS[k + 2]
  k = k + (cap > 0 and 3 or 2)
  local applied = 1
  if op == 'sadd' or op == 'srem' or op == 'zadd' or op == 'zrem' then
    local member = ARGV[first]
    if fenced then
      local current = redis.call('HGET', versionKey, member)
      if current and current >= version then
        applied = 0
      end
    end
    if applied == 1 then
      if cap > 0 then
        -- The member may be on either side. Without it, the key shows the top again; then it goes in among those,
        -- and the lowest of them steps down if there is one too many.
        redis.call('ZREM', key, member)
        redis.call('ZREM', restKey, member)
        rebalance(key, restKey, cap)
        if op == 'zadd' then
          redis.call('ZADD', key, ARGV[first + 1], member)
          rebalance(key, restKey, cap)
        end
      elseif op == 'sadd' then
        redis.call('SADD', key, member)
      elseif op == 'zadd' then
        redis.call('ZADD', key, ARGV[first + 1], member)
      elseif op == 'srem' then
        redis.call('SREM', key, member)
      else
        redis.call('ZREM', key, member)
      end
      if fenced then
        redis.call('HSET', versionKey, member, version)
        if redis.call('EXISTS', key) == 0 then
          redis.call('PEXPIRE', versionKey, tombstoneTtl)
        else
          redis.call('PERSIST', versionKey)
        end
      end
    end
  else
    if fenced then
      local current = redis.call('GET', versionKey)
      if current and current >= version then
        applied = 0
      end
    end
    if applied == 1 then
      if op == 'del' then
        redis.call('DEL', key)
        if fenced then
          redis.call('SET', versionKey, version, 'PX', tombstoneTtl)
        end
      else
        if op == 'set' then
          if ttl > 0 then
            redis.call('SET', key, ARGV[first], 'PX', ttl)
          else
            redis.call('SET', key, ARGV[first])
          end
        else
          -- Replace the whole hash, so a column that became NULL loses its field.
          redis.call('DEL', key)
          if n > 0 then
            redis.call('HSET', key, unpack(ARGV, first, first + n - 1))
            if ttl > 0 then
              redis.call('PEXPIRE', key, ttl)
            end
          end
        end
        if fenced then
          if ttl > 0 then
            redis.call('SET', versionKey, version, 'PX', ttl)
          else
            redis.call('SET', versionKey, version)
          end
        end
      end
    end
  end
  results[w] = applied
end
return results
