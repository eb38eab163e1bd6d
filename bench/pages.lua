-- wrk script for answers that are built, not taken from the answer cache: each thread (run
-- with one connection per thread) walks its own range of pages in order, the way a client
-- syncing a collection does, and every request carries a distinct `n` parameter (ignored by
-- the API, but part of the cache key), so that no answer is ever reused.
-- Usage: wrk -t2 -c2 -s bench/pages.lua ... 'URL?limit=100'
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local step = 0
function request()
  local offset = id * 50000 + (step % 500) * 100
  step = step + 1
  return wrk.format(nil, wrk.path .. "&offset=" .. offset .. "&n=" .. id .. "-" .. step)
end
