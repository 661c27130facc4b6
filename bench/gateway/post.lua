-- wrk script: POSTs the GetSupplierShortlist SOAP request given after "--"
-- and prints one machine-readable RESULT line when done.
-- usage: wrk ... -s post.lua URL -- shortlist_request.xml
function init(args)
  local file = assert(io.open(args[1], "rb"), "cannot read " .. tostring(args[1]))
  wrk.method = "POST"
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
  wrk.headers["SOAPAction"] = '"urn:example:erp:purchasing:1#GetSupplierShortlist"'
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d p50_us=%d p99_us=%d max_us=%d errors=%d status_errors=%d\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
