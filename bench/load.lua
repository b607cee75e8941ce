-- Mixed traffic for wrk (bench/load.py writes the data file and reads what done() prints).
--
--   wrk -t2 -c200 -d30s -s bench/load.lua URL -- DATA_FILE MODE [P_BOOK P_CANCEL]
--
-- DATA_FILE lines, tab-separated:
--   S <user id> <Cookie header> <CSRF token>   a logged-in person
--   B <path>                                   a slot listing to browse
--   L <JSON body>                              a free slot to book
-- MODE "mixed": browse / book / cancel; MODE "hello": GET /hello only (the baseline, same
-- script, so both runs pay the same Lua cost per request).
--
-- wrk gives a script no connection identity, so each request is sent as a person drawn at
-- random. A booking's 201 names its id and its client: the cancellation of it is queued and sent
-- later with that client's cookie and token (only the owner may cancel).

local P_BOOK, P_CANCEL = 0.15, 0.08  -- shares of bookings and cancellations (args 3 and 4)

local sessions, by_user, browse, slots, queue = {}, {}, {}, {}, {}
local mode = "mixed"
counts = {}   -- status -> answers (read by done() through thread:get, so global)
kinds = {}    -- request kind -> requests sent; "booked", "cancelled" -> such answers

local threads = {}

function setup(thread)
   thread:set("thread_number", #threads + 1)
   table.insert(threads, thread)
end

local function split(line)
   local fields = {}
   for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(fields, field)
   end
   return fields
end

function init(args)
   mode = args[2] or "mixed"
   P_BOOK = tonumber(args[3] or "") or P_BOOK
   P_CANCEL = tonumber(args[4] or "") or P_CANCEL
   math.randomseed(os.time() + 7919 * (thread_number or 1))
   for line in io.lines(args[1]) do
      local f = split(line)
      if f[1] == "S" then
         local s = { id = f[2], cookie = f[3], token = f[4] }
         table.insert(sessions, s)
         by_user[f[2]] = s
      elseif f[1] == "B" then
         table.insert(browse, f[2])
      elseif f[1] == "L" then
         table.insert(slots, f[2])
      end
   end
end

local function count(kind)
   kinds[kind] = (kinds[kind] or 0) + 1
end

local function post(path, s, body)
   return wrk.format("POST", path, {
      ["Cookie"] = s.cookie,
      ["X-CSRFToken"] = s.token,
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json",
   }, body)
end

function request()
   if mode == "hello" then
      count("hello")
      return wrk.format("GET", "/hello")
   end
   local r = math.random()
   if r < P_CANCEL and #queue > 0 then
      local item = table.remove(queue, 1)
      count("cancel")
      return post("/api/v1/consultations/" .. item.id .. "/cancel", by_user[item.user], "{}")
   end
   local s = sessions[math.random(#sessions)]
   if r < P_CANCEL + P_BOOK then
      count("book")
      return post("/api/v1/consultations", s, slots[math.random(#slots)])
   end
   count("browse")
   return wrk.format("GET", browse[math.random(#browse)], { ["Cookie"] = s.cookie })
end

function response(status, headers, body)
   counts[status] = (counts[status] or 0) + 1
   if status == 200 and body:find('"status":%s*"cancelled"') then
      kinds["cancelled"] = (kinds["cancelled"] or 0) + 1
   elseif status == 201 then
      kinds["booked"] = (kinds["booked"] or 0) + 1
      local id = body:match('"url":%s*"/api/v1/consultations/(%d+)"')
      local user = body:match('"client_id":%s*(%d+)')
      if id and user and by_user[user] then
         table.insert(queue, { id = id, user = user })
      end
   end
end

function done(summary, latency, requests)
   local statuses, sent = {}, {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("counts") or {}) do
         statuses[status] = (statuses[status] or 0) + n
      end
      for kind, n in pairs(thread:get("kinds") or {}) do
         sent[kind] = (sent[kind] or 0) + n
      end
   end
   for status, n in pairs(statuses) do
      io.write(string.format("STATUS %d %d\n", status, n))
   end
   for kind, n in pairs(sent) do
      io.write(string.format("KIND %s %d\n", kind, n))
   end
   local e = summary.errors
   io.write(string.format("SUMMARY %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
      e.connect, e.read, e.write, e.status, e.timeout))
   io.write(string.format("LATENCY %d %d %d %d\n", latency:percentile(50),
      latency:percentile(95), latency:percentile(99), latency.max))
end
