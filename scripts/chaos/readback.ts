// Reads every acknowledged transaction back through POST /3ds/final (SPEC §3.3) and says which ones the
// server lost: unknown (404, Erro 301), or older than what was acknowledged (a completed challenge that
// reads as pending, another transStatus). A challenge acknowledged open may read as completed (its
// completion may have been done without the answer arriving), a decoupled one as pending or Y.
import http from 'node:http';
import { sleep } from './common.js';
import type { Ack } from './flows.js';

export interface ReadBack {
  acked: number;
  /** Read back as acknowledged (or later). */
  readBack: number;
  /** Unknown to the server (404). */
  lost: number;
  /** Known, but older than acknowledged. */
  regressed: number;
  /** No answer, or a 5xx, even after a retry. */
  unreadable: number;
  samples: string[];
}

interface Final {
  status: number;
  transStatus?: string;
  errorCode?: string;
}

function final(agent: http.Agent, base: URL, id: string): Promise<Final> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ threeDSServerTransID: id });
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: '/3ds/final',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          data += c;
        });
        res.on('end', () => {
          let j: { transStatus?: string; errorDetails?: { errorCode?: string } } = {};
          try {
            j = JSON.parse(data);
          } catch {
            // not JSON
          }
          resolve({
            status: res.statusCode ?? 0,
            ...(j.transStatus !== undefined && { transStatus: j.transStatus }),
            ...(j.errorDetails?.errorCode !== undefined && { errorCode: j.errorDetails.errorCode }),
          });
        });
        res.on('error', () => resolve({ status: 0 }));
      },
    );
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () => resolve({ status: 0 }));
    req.end(body);
  });
}

/** What a read of an acknowledged transaction must show: 'ok', 'lost' or 'regressed'. */
export function judge(ack: Ack, f: Final): 'ok' | 'lost' | 'regressed' | 'unreadable' {
  if (f.status === 404) return 'lost';
  if (f.status === 0 || f.status >= 500) return 'unreadable';
  const pending = f.status === 409 && f.errorCode === '305';
  if (ack.level === 'completed') return f.status === 200 && f.transStatus === ack.status ? 'ok' : 'regressed';
  if (ack.status === 'C') return pending || f.status === 200 ? 'ok' : 'regressed';
  if (ack.status === 'D') return pending || (f.status === 200 && f.transStatus === 'Y') ? 'ok' : 'regressed';
  return f.status === 200 && f.transStatus === ack.status ? 'ok' : 'regressed';
}

export async function readBack(baseUrl: string, acks: readonly Ack[], concurrency = 16): Promise<ReadBack> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const out: ReadBack = { acked: acks.length, readBack: 0, lost: 0, regressed: 0, unreadable: 0, samples: [] };
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < acks.length) {
        const ack = acks[next++] as Ack;
        let f = await final(agent, base, ack.id);
        let v = judge(ack, f);
        if (v === 'unreadable') {
          await sleep(200);
          f = await final(agent, base, ack.id);
          v = judge(ack, f);
        }
        if (v === 'ok') out.readBack++;
        else {
          out[v]++;
          if (out.samples.length < 10)
            out.samples.push(
              `${ack.id} card ${ack.card} acknowledged ${ack.level} ${ack.status}: HTTP ${f.status} ${f.transStatus ?? f.errorCode ?? ''}`,
            );
        }
      }
    }),
  );
  agent.destroy();
  return out;
}
