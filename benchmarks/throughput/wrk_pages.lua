-- wrk script for the throughput benchmark: cycles through the same page requests as the
-- other peers (WRK_PAGES lists "schedule_id offset" lines), with the same headers.
local pages_file = os.getenv("WRK_PAGES")
local limit = os.getenv("WRK_LIMIT")
local organization = os.getenv("WRK_ORGANIZATION")
local requests = {}
local next_request = 1

function init(args)
  local headers = { ["Authorization"] = "Bearer benchmark-token", ["Accept"] = "application/json" }
  for line in io.lines(pages_file) do
    local id, offset = line:match("^(%S+) (%d+)$")
    if id then
      local path = "/reports/schedules/" .. id .. "/runs?organization_id=" .. organization ..
                   "&limit=" .. limit .. "&offset=" .. offset
      requests[#requests + 1] = wrk.format("GET", path, headers)
    end
  end
end

function request()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end
