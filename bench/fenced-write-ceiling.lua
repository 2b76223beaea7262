-- The Redis ceiling for Warmer's fenced write (warmer-app/.../sink/fenced-writes.lua) in the shape
-- redis-ceiling.sh drives: KEYS[1], ARGV[1] an increasing number, ARGV[2] a value. Same work per
-- call: read the version key, compare, SET the value and the version with a TTL.
local version = string.rep('0', 20 - #ARGV[1]) .. ARGV[1]
local versionKey = '{' .. KEYS[1] .. '}:v'
local current = redis.call('GET', versionKey)
if current and current >= version then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', 3600000)
redis.call('SET', versionKey, version, 'PX', 3600000)
return 1
