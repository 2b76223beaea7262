-- Restores a copied key under its new name unless that name is taken, atomically, so that a CDC write
-- that lands at the same moment is never overwritten.
-- KEYS[1] the new key, KEYS[2] its fencing version key (same hash slot by construction)
-- ARGV[1] the TTL in ms, '0' for none; ARGV[2] the old key's DUMP payload
-- Returns 1 when restored, 0 when skipped: the key exists, or its version key does (the CDC path wrote the
-- key, or deleted it and left a tombstone), and either way the copy would be older.
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then
  return 0
end
redis.call('RESTORE', KEYS[1], ARGV[1], ARGV[2])
return 1
