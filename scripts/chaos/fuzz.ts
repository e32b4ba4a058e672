// Structure-aware fuzzing of every endpoint (SPEC §8, §20): valid bodies — examples/, the shared
// fixtures, and real transactions opened for the run (browser challenges, frictionless ones, app
// challenges with their JWEs, a completed CRes) — mutated field by field (deletions, nulls, type swaps,
// huge and unicode strings, deep nesting, `__proto__`/`constructor` keys, wrong IDs), then sometimes
// broken as text (truncated, bit-flipped, invalid UTF-8, duplicate keys, not JSON at all); broken forms
// on the ACS form routes; random and bit-flipped JWEs and forged headers on /challenge; wrong content
// types, methods and paths. Request i is generated from (seed, i) alone, so a run is reproducible
// whatever the concurrency. A field sweep comes first: every field of every valid body, in turn, given
// values careless code trips on (no usable toString, a `__proto__` key). Nothing may answer 5xx except the DS-error card's documented 502 (and 503s
// of a deliberate outage, counted apart); no connection may close with a request unanswered.
//
//   node --import tsx scripts/chaos/fuzz.ts --replay FILE --base http://127.0.0.1:8080
// replays the reproductions a run wrote (one JSON request per line) and prints each answer.
//
// This file is the fuzzer's entry point: the replay CLI and the names the harness imports. The parts are
// in fuzz/: material.ts (valid bodies, real transactions), mutations.ts (JSON and text), encodings.ts
// (forms, JWEs), generators.ts (requests by endpoint), sweep.ts (the field sweep), runner.ts (sending).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FuzzRequest } from './fuzz/generators.js';
import { type FuzzFailure, sendOne } from './fuzz/runner.js';

export { FUZZ_ENDPOINTS, type FuzzRequest, fuzzRequest } from './fuzz/generators.js';
export { prepareMaterial } from './fuzz/material.js';
export { type FuzzFailure, type FuzzOptions, type FuzzResult, runFuzz } from './fuzz/runner.js';
export { sweepRequests } from './fuzz/sweep.js';

// ——— replay of written reproductions ——————————————————————————————————————————————————————————

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { replay: { type: 'string' }, base: { type: 'string', default: 'http://127.0.0.1:8080' } },
    strict: true,
  });
  if (!values.replay) {
    process.stderr.write('usage: node --import tsx scripts/chaos/fuzz.ts --replay FILE [--base URL]\n');
    process.exit(2);
  }
  const agent = new http.Agent({ keepAlive: false });
  const base = new URL(values.base as string);
  for (const line of readFileSync(values.replay, 'utf8').split('\n').filter(Boolean)) {
    const f = JSON.parse(line) as FuzzFailure;
    const q: FuzzRequest = {
      endpoint: f.endpoint,
      method: f.request.method,
      path: f.request.path,
      headers: f.request.headers,
      body: Buffer.from(f.request.bodyBase64, 'base64'),
      ...(f.request.chunked && { chunked: true }),
    };
    const s = await sendOne(agent, base, q, 15_000);
    process.stdout.write(`#${f.i} ${q.method} ${q.path.slice(0, 80)} → ${s.status || s.error} ${s.head.slice(0, 200)}\n`);
  }
}
