-- wrk script: post.lua's request (the GetSupplierShortlist SOAP request given
-- after "--") at a steady pace: each connection waits DELAY_MS (the second
-- argument, default 10) before each request, so C connections send about
-- C * 1000 / DELAY_MS requests a second. post.lua prints the RESULT line.
-- usage: wrk ... -s steady.lua URL -- shortlist_request.xml [DELAY_MS]
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "post.lua")

local post_init = init
local pause = 10
function init(args)
  post_init(args)
  if args[2] then pause = tonumber(args[2]) end
end

function delay()
  return pause
end
