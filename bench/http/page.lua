-- wrk script: each request asks for the page after a random row, so pages come from all over
-- the table. Every wrk thread has its own fixed seed, so runs repeat the same sequence.

local rows = tonumber(os.getenv("BENCH_ROWS")) or 1000000
local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("seed", threads)
end

function init(args)
    math.randomseed(seed)
end

function request()
    return wrk.format("GET", "/bench/page?after=" .. math.random(0, math.max(rows - 1000, 0)))
end
