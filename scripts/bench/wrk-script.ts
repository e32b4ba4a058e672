// wrk Lua for the single-request scenarios. Fresh IDs: "@ID@" and "@SDK@" in a body become UUIDs made
// of a per-run nonce (19 characters passed on wrk's command line after `--`, new for every wrk run), the
// wrk thread's number (from setup()) and a per-thread counter, so no ID repeats across requests,
// threads, rounds or runs (Lua's math.random is unseeded in wrk: it replays the same sequence every
// run). Every thread counts the answers it expects (status, and a body substring where given) and the
// others by status; done() collects the threads' counts through thread:get and prints them.

export interface WrkTarget {
  url: string;
  method?: 'GET' | 'POST';
  /** Request body; "@ID@" and "@SDK@" are replaced by fresh UUIDs per request. */
  body?: string;
  headers?: Record<string, string>;
  connections?: number;
  threads?: number;
  /** Statuses counted as answers (default 200); any other fails the scenario. */
  expect?: number[];
  /** A plain substring every counted answer's body must contain (not for compressed bodies). */
  bodyIncludes?: string;
}

/** A Lua string literal. */
export function luaString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

export function wrkScript(t: WrkTarget): string {
  const headers = { ...(t.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...t.headers };
  const dynamic = t.body !== undefined && /@ID@|@SDK@/.test(t.body);
  const lines = [`wrk.method = ${luaString(t.method ?? (t.body !== undefined ? 'POST' : 'GET'))}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`wrk.headers[${luaString(k)}] = ${luaString(v)}`);
  if (t.body !== undefined && !dynamic) lines.push(`wrk.body = ${luaString(t.body)}`);
  const expected = (t.expect ?? [200]).map((s) => `[${s}] = true`).join(', ');
  lines.push(`
local expected = { ${expected} }
local needle = ${t.bodyIncludes !== undefined ? luaString(t.bodyIncludes) : 'nil'}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local prefix
local n = 0
ok = 0
bad = {}
sample = nil
function init(args)
  prefix = args[1]
  if prefix == nil or #prefix ~= 19 then error("bench: wrk needs the run nonce after --") end
end
`);
  if (dynamic) {
    lines.push(`local template = ${luaString(t.body as string)}
function request()
  n = n + 1
  local tail = string.format("%03x-%012d", tid, n)
  local b = template:gsub("@ID@", prefix .. "a" .. tail):gsub("@SDK@", prefix .. "b" .. tail)
  return wrk.format(nil, nil, nil, b)
end
`);
  }
  lines.push(`function response(status, headers, body)
  if expected[status] and (needle == nil or string.find(body, needle, 1, true)) then
    ok = ok + 1
  else
    local key = expected[status] and (status .. " without the expected content") or tostring(status)
    bad[key] = (bad[key] or 0) + 1
    if sample == nil then sample = string.sub(body, 1, 300) end
  end
end

function done(summary, latency, requests)
  local good = 0
  local statuses = {}
  for _, t in ipairs(threads) do
    good = good + t:get("ok")
    for status, count in pairs(t:get("bad")) do statuses[status] = (statuses[status] or 0) + count end
    local s = t:get("sample")
    if s ~= nil then io.write("BENCH_SAMPLE ", (string.gsub(s, "[\\r\\n]", " ")), "\\n") end
  end
  local parts = {}
  for status, count in pairs(statuses) do table.insert(parts, status .. "=" .. count) end
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d %.3f %.3f\\n", summary.duration, summary.requests, good,
    e.connect, e.read, e.write, e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write("BENCH_BAD ", table.concat(parts, ","), "\\n")
end
`);
  return lines.join('\n');
}

export interface WrkResult {
  durationUs: number;
  requests: number;
  ok: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  timeouts: number;
  p50ms: number;
  p99ms: number;
  /** [what (status, and whether the body was wrong), count] of the answers not expected. */
  unexpected: [string, number][];
  sample?: string;
}

export function parseWrkOutput(out: string): WrkResult {
  const m = /^BENCH (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)$/m.exec(out);
  if (!m) throw new Error(`wrk gave no result: ${out.slice(-800)}`);
  const bad = /^BENCH_BAD (.*)$/m.exec(out)?.[1] ?? '';
  const unexpected = bad
    .split(',')
    .filter((s) => s.includes('='))
    .map((s) => {
      const i = s.lastIndexOf('=');
      return [s.slice(0, i), Number(s.slice(i + 1))] as [string, number];
    });
  const sample = /^BENCH_SAMPLE (.*)$/m.exec(out)?.[1];
  const n = (i: number) => Number(m[i]);
  return {
    durationUs: n(1),
    requests: n(2),
    ok: n(3),
    connectErrors: n(4),
    readErrors: n(5),
    writeErrors: n(6),
    timeouts: n(7),
    p50ms: n(8),
    p99ms: n(9),
    unexpected,
    ...(sample !== undefined && { sample }),
  };
}
