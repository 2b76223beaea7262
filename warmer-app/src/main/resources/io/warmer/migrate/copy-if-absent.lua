-- Copies keys to their new names on one Redis, server side, each unless its new name is taken: COPY keeps
-- the value, of any type, and the remaining TTL, and nothing crosses the network. Standalone Redis only:
-- in a cluster the two names usually live in different slots, which one script may not touch.
-- KEYS, per key in turn: the old key, the new key, the new key's fencing version key.
-- Returns, per key: 1 copied; 0 skipped, the new key or its version key exists (the CDC path wrote the key,
-- or deleted it and left a tombstone, and the copy would be older); -1 the old key is gone (expired).
-- COPY itself refuses an existing new key, so the common case costs one lookup and the copy; only a refused
-- COPY asks why.
local results = {}
for i = 1, #KEYS, 3 do
  if redis.call('EXISTS', KEYS[i + 2]) == 1 then
    results[#results + 1] = 0
  elseif redis.call('COPY', KEYS[i], KEYS[i + 1]) == 1 then
    results[#results + 1] = 1
  elseif redis.call('EXISTS', KEYS[i + 1]) == 1 then
    results[#results + 1] = 0
  else
    results[#results + 1] = -1
  end
end
return results
