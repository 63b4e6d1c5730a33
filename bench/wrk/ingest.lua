-- wrk script: POSTs alerts to Tocsin's ingest endpoint (Alertmanager webhook payloads, version 4)
-- or, with TARGET=alertmanager, the same label sets to Alertmanager's POST /api/v2/alerts.
-- BATCH: alerts per request. MODE: "distinct" (new label sets and a new group per request)
-- or "repeated" (the same payload every time, as a repeat_interval resend).
local bit = require("bit")
local batch = tonumber(os.getenv("BATCH") or "1")
local mode = os.getenv("MODE") or "distinct"
local target = os.getenv("TARGET") or "tocsin"
local counter = 0
local thread_id = 0
local fixed_body = nil

function setup(thread)
    -- PREFIX keeps the label sets of wrk processes run side by side apart (their random numbers agree).
    thread:set("thread_id", (os.getenv("PREFIX") or "") .. tostring(math.random(1, 1e9)))
end

-- Alertmanager's fingerprint of a label set: 64-bit FNV-1a over each name and value (names in
-- byte order) followed by a 0xFF byte, printed as 16 hex digits. LuaJIT's 64-bit integers wrap.
local function fingerprint(sorted_names_and_values)
    local hash = 0xcbf29ce484222325ULL
    for _, text in ipairs(sorted_names_and_values) do
        for i = 1, #text do
            hash = bit.bxor(hash, text:byte(i)) * 0x100000001b3ULL
        end
        hash = bit.bxor(hash, 0xff) * 0x100000001b3ULL
    end
    return bit.tohex(hash, 16)
end

-- The same alerts either way. Alertmanager's webhook adds to what Prometheus posts to Alertmanager
-- each alert's status, its endsAt (Go's zero time while firing) and its fingerprint, as every
-- captured webhook body does.
local function alerts(group, webhook)
    local list = {}
    for i = 1, batch do
        local instance = string.format("%s-%d:9100", group, i)
        local extra = ''
        if webhook then
            extra = string.format('"status":"firing","endsAt":"0001-01-01T00:00:00Z","fingerprint":"%s",', fingerprint({
                "alertname", "BenchAlert", "cluster", "eu1", "instance", instance, "job", "node", "severity", "critical" }))
        end
        list[i] = string.format(
            '{%s"labels":{"alertname":"BenchAlert","cluster":"eu1","instance":"%s","job":"node","severity":"critical"},'
            .. '"annotations":{"summary":"bench alert %d"},"startsAt":"2026-11-26T23:32:42.33Z",'
            .. '"generatorURL":"http://prometheus.example.test:9090/graph"}', extra, instance, i)
    end
    return table.concat(list, ",")
end

local function payload(group)
    if target == "alertmanager" then
        return "[" .. alerts(group, false) .. "]\n"
    end
    return string.format(
        '{"receiver":"bench","status":"firing","alerts":[%s],"groupLabels":{"alertname":"BenchAlert","group":"%s"},'
        .. '"commonLabels":{"alertname":"BenchAlert","cluster":"eu1","job":"node","severity":"critical"},"commonAnnotations":{},'
        .. '"externalURL":"http://am.example.test",'
        .. '"version":"4","groupKey":"{}:{group=\\"%s\\"}","truncatedAlerts":0}\n', alerts(group, true), group, group)
end

function init(args)
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    if mode == "repeated" then
        fixed_body = payload("repeated-" .. (thread_id or "0"))
    end
end

function request()
    if fixed_body ~= nil then
        return wrk.format(nil, nil, nil, fixed_body)
    end
    counter = counter + 1
    return wrk.format(nil, nil, nil, payload(string.format("%s-%d", thread_id or "0", counter)))
end

function done(summary, latency, requests)
    local non2xx = summary.errors.status
    io.write(string.format(
        'RESULT {"requests":%d,"duration_us":%d,"non_2xx":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
        summary.requests, summary.duration, non2xx,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        latency:percentile(50), latency:percentile(99), latency.max))
end
