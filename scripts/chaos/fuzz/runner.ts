// The fuzzer's runner (SPEC §20): sends the field sweep then the random requests with a few loops, and
// counts what came back — statuses by endpoint, unexpected 5xx, the documented 502, 503s, dropped
// connections, the answering workers — keeping reproductions of the failures.
import http from 'node:http';
import { now, quantile } from '../common.js';
import { type FuzzRequest, fuzzRequest } from './generators.js';
import { type Material, prepareMaterial } from './material.js';
import { sweepRequests } from './sweep.js';

export interface FuzzFailure {
  i: number;
  endpoint: string;
  status: number;
  error?: string;
  response?: string;
  request: { method: string; path: string; headers: Record<string, string>; bodyBase64: string; chunked?: boolean };
}

export interface FuzzResult {
  /** Every request sent: the field sweep's, then the random ones. */
  requests: number;
  /** Requests of the field sweep. */
  sweepRequests: number;
  elapsedS: number;
  p99ms: number;
  byStatus: Record<string, number>;
  byEndpoint: Record<string, Record<string, number>>;
  /** 5xx other than the documented ones. */
  unexpected5xx: number;
  /** 502 with errorComponent D: the Directory Server error card. */
  documented502: number;
  /** 503s (an outage: none is expected unless one is made on purpose). */
  outage503: number;
  /** Requests whose connection closed (or timed out) without an answer. */
  dropped: number;
  dropKinds: Record<string, number>;
  /** Worker pids that answered (X-Worker-Pid). */
  pids: number[];
  failures: FuzzFailure[];
}

export interface Sent {
  status: number;
  error?: string;
  pid: number;
  head: string;
  component?: string;
}

export function sendOne(agent: http.Agent, base: URL, q: FuzzRequest, timeoutMs: number): Promise<Sent> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (s: Sent) => {
      if (!done) {
        done = true;
        resolve(s);
      }
    };
    const headers: Record<string, string | number> = { ...q.headers };
    if (!q.chunked && q.method !== 'GET' && q.method !== 'HEAD') headers['content-length'] = q.body.length;
    let req: http.ClientRequest;
    try {
      req = http.request({ agent, host: base.hostname, port: base.port, method: q.method, path: q.path, headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 4096) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let component: string | undefined;
          if ((res.statusCode ?? 0) >= 500) {
            try {
              component = (JSON.parse(text) as { errorDetails?: { errorComponent?: string } }).errorDetails?.errorComponent;
            } catch {
              component = undefined;
            }
          }
          finish({
            status: res.statusCode ?? 0,
            pid: Number(res.headers['x-worker-pid'] ?? 0),
            head: text.slice(0, 400),
            ...(component !== undefined && { component }),
          });
        });
        res.on('error', (err: NodeJS.ErrnoException) => finish({ status: 0, error: err.code ?? err.message, pid: 0, head: '' }));
      });
    } catch (err) {
      // The client refused to build the request (a header it will not send): not the server's doing.
      return finish({ status: -1, error: (err as Error).message, pid: 0, head: '' });
    }
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'CHAOS_TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => finish({ status: 0, error: err.code ?? err.message, pid: 0, head: '' }));
    if (q.method === 'GET' || q.method === 'HEAD') req.end();
    else req.end(q.body);
  });
}

export interface FuzzOptions {
  base: string;
  seed: number;
  requests: number;
  concurrency?: number;
  /** Stop early after this long (the result says how many were sent). */
  maxSeconds?: number;
  timeoutMs?: number;
  material?: Material;
  /** Run the field sweep (sweepRequests) before the random requests (default true). */
  sweep?: boolean;
  progress?: (done: number) => void;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const base = new URL(opts.base);
  const m = opts.material ?? (await prepareMaterial(opts.base));
  const concurrency = opts.concurrency ?? 16;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const out: FuzzResult = {
    requests: 0,
    sweepRequests: 0,
    elapsedS: 0,
    p99ms: 0,
    byStatus: {},
    byEndpoint: {},
    unexpected5xx: 0,
    documented502: 0,
    outage503: 0,
    dropped: 0,
    dropKinds: {},
    pids: [],
    failures: [],
  };
  const pids = new Set<number>();
  const lat: number[] = [];
  const t0 = now();
  const deadline = t0 + (opts.maxSeconds ?? 3600) * 1000;
  const sweep = opts.sweep === false ? [] : sweepRequests(m);
  out.sweepRequests = sweep.length;
  const total = sweep.length + opts.requests;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && now() < deadline) {
        const i = next++;
        const q = i < sweep.length ? (sweep[i] as FuzzRequest) : fuzzRequest(opts.seed, i - sweep.length, m);
        const s0 = now();
        const s = await sendOne(agent, base, q, opts.timeoutMs ?? 15_000);
        if (s.status === -1) continue;
        lat.push(now() - s0);
        out.requests++;
        if (out.requests % 10_000 === 0) opts.progress?.(out.requests);
        if (s.pid) pids.add(s.pid);
        const key = s.status === 0 ? `no answer (${s.error})` : String(s.status);
        out.byStatus[key] = (out.byStatus[key] ?? 0) + 1;
        const ep = out.byEndpoint[q.endpoint] ?? {};
        out.byEndpoint[q.endpoint] = ep;
        ep[key] = (ep[key] ?? 0) + 1;
        let bad = false;
        if (s.status === 0) {
          out.dropped++;
          out.dropKinds[s.error ?? '?'] = (out.dropKinds[s.error ?? '?'] ?? 0) + 1;
          bad = true;
        } else if (s.status === 502 && s.component === 'D') out.documented502++;
        else if (s.status === 503) out.outage503++;
        else if (s.status >= 500) {
          out.unexpected5xx++;
          bad = true;
        }
        if (bad && out.failures.length < 50) {
          out.failures.push({
            i,
            endpoint: q.endpoint,
            status: s.status,
            ...(s.error !== undefined && { error: s.error }),
            response: s.head,
            request: {
              method: q.method,
              path: q.path,
              headers: q.headers,
              bodyBase64: q.body.toString('base64'),
              ...(q.chunked && { chunked: true }),
            },
          });
        }
      }
    }),
  );
  agent.destroy();
  out.elapsedS = (now() - t0) / 1000;
  out.p99ms = quantile(lat, 0.99);
  out.pids = [...pids].sort((a, b) => a - b);
  return out;
}
