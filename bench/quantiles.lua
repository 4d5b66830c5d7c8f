-- wrk -s bench/quantiles.lua: after the run, one line with the number of requests and the
-- latency (microseconds) at every 0.1 % from 0.1 % to 100 %, so that bench/run.py can pool
-- the latencies of several runs into one distribution.
done = function(summary, latency, requests)
  local out = {}
  for i = 1, 999 do
    out[i] = latency:percentile(i / 10)
  end
  out[1000] = latency.max -- percentile(100) reads 0 in wrk 4.1
  io.write("quantiles-us ", summary.requests, " ", table.concat(out, ","), "\n")
end
