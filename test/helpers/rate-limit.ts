// Hammering a rate-limited route and checking one window's count (SPEC §11), for the tests that share
// the limit across workers (test/integration/rate-limit.test.ts) and across instances behind a proxy
// (test/integration/proxy.test.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';

export interface Limits {
  max: number;
  windowMs: number;
}

export interface Round {
  ok: number;
  refused: number;
  /** Worker PIDs that answered 200. */
  pids: Set<number>;
  elapsedMs: number;
  refusal?: { status: number; retryAfter: string | null; rateLimit: string | null; body: { errorDetails?: { errorCode?: string } } };
}

const LOOPS = 8;
export const REFUSALS_TO_SEE = 400;

export const emptyRound = (): Round => ({ ok: 0, refused: 0, pids: new Set(), elapsedMs: 0 });

/** Request headers of loop i: half the loops open a connection per request, half keep theirs. */
export type LoopHeaders = (i: number) => Record<string, string>;
const defaultHeaders: LoopHeaders = (i) => (i % 2 === 0 ? { connection: 'close' } : {});

/** Hammers `url` (a route answering {pid}) from 8 loops until enough 429s were seen; counts every answer. */
export async function hammer(url: string, startedAt: number, round: Round, headersOf: LoopHeaders = defaultHeaders): Promise<Round> {
  let stop = false;
  const loops = Array.from({ length: LOOPS }, async (_, i) => {
    while (!stop) {
      const res = await fetch(url, { headers: headersOf(i), signal: AbortSignal.timeout(5000) });
      if (res.status === 200) {
        round.ok++;
        round.pids.add(((await res.json()) as { pid: number }).pid);
      } else if (res.status === 429) {
        round.refused++;
        const body = (await res.json()) as NonNullable<Round['refusal']>['body'];
        round.refusal ??= { status: res.status, retryAfter: res.headers.get('retry-after'), rateLimit: res.headers.get('ratelimit'), body };
        if (round.refused >= REFUSALS_TO_SEE) stop = true;
      } else {
        stop = true;
        throw new Error(`unexpected HTTP ${res.status}: ${await res.text()}`);
      }
    }
  });
  await Promise.all(loops);
  round.elapsedMs = Date.now() - startedAt;
  return round;
}

/** Polls `url` until a request is allowed again (a new window opened); that request is the round's first. */
export async function nextWindow(url: string, limits: Limits): Promise<{ startedAt: number; round: Round }> {
  const deadline = Date.now() + limits.windowMs + 5000;
  while (Date.now() < deadline) {
    const startedAt = Date.now();
    const res = await fetch(url, { headers: { connection: 'close' } });
    if (res.status === 200) {
      const round = emptyRound();
      round.ok = 1;
      round.pids.add(((await res.json()) as { pid: number }).pid);
      return { startedAt, round };
    }
    await res.arrayBuffer();
    await sleep(50);
  }
  throw new Error('no new rate-limit window opened');
}

/** One window allowed `max` within 1%, never more, and refused with the SPEC §8 envelope and the headers. */
export function expectExact(round: Round, limits: Limits, what: string): void {
  const { max, windowMs } = limits;
  // Every counted request must fall in one window, or the count says nothing.
  expect(round.elapsedMs, `${what}: the hammering outlasted the ${windowMs} ms window; inconclusive`).to.be.below(windowMs);
  expect(round.ok, `${what}: allowed requests`).to.be.at.most(max);
  expect(round.ok, `${what}: allowed requests`).to.be.at.least(Math.floor(max * 0.99));
  expect(round.refused).to.be.at.least(REFUSALS_TO_SEE);
  expect(round.refusal?.body.errorDetails?.errorCode).to.equal('405');
  expect(Number(round.refusal?.retryAfter)).to.be.within(1, windowMs / 1000);
  expect(round.refusal?.rateLimit).to.match(new RegExp(`^limit=${max}, remaining=0, reset=\\d+$`));
}
