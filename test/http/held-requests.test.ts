// Requests held without an answer (test card acs-no-answer, SPEC §4), over real sockets: the client
// giving up, the bounded maximum (a recorded scheduler fired by the test, no clock involved), a drain
// releasing them all; every ending leaves no timer behind and the server keeps serving.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Exchange } from '../../src/http/exchange.js';
import { HeldRequests } from '../../src/http/held-requests.js';
import { createLogger } from '../../src/logger.js';

/** Resolves when `c` closes (events.once would reject on the 'socket hang up' error that comes first). */
const closeOf = (c: http.ClientRequest) => new Promise<void>((resolve) => c.once('close', () => resolve()));

interface Scheduled {
  ms: number;
  fire: () => void;
  cancelled: boolean;
}

describe('http/held-requests', () => {
  let server: http.Server;
  let port: number;
  let held: HeldRequests;
  let scheduled: Scheduled[];
  let lines: string[];
  /** Resolves with the server side of each request as it is held. */
  let arrivals: ((req: http.IncomingMessage) => void)[];

  beforeEach(async () => {
    scheduled = [];
    lines = [];
    arrivals = [];
    held = new HeldRequests(
      createLogger('info', {}, (l) => lines.push(l)),
      (fn, ms) => {
        const s: Scheduled = { ms, fire: fn, cancelled: false };
        scheduled.push(s);
        return () => {
          s.cancelled = true;
        };
      },
    );
    server = http.createServer((req, res) => {
      if (req.url !== '/hold') {
        res.end('served');
        return;
      }
      const ex = { req, res, id: 'req-1', route: '/hold', transId: undefined } as unknown as Exchange;
      held.hold(ex, 60_000);
      arrivals.shift()?.(req);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    held.releaseAll();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** A held request: the client's request object (its socket closes without a response) and the server's. */
  async function holdOne(): Promise<{ client: http.ClientRequest; server: http.IncomingMessage; answered: () => boolean }> {
    const arrived = new Promise<http.IncomingMessage>((resolve) => arrivals.push(resolve));
    const client = http.request({ port, host: '127.0.0.1', path: '/hold', method: 'POST', agent: false });
    let answered = false;
    client.on('response', () => {
      answered = true;
    });
    client.on('error', () => {});
    client.end('{}');
    return { client, server: await arrived, answered: () => answered };
  }

  async function stillServing(): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${port}/other`);
    expect(await res.text()).to.equal('served');
  }

  it('a client that gives up: its request is let go, the timer cancelled, and the server keeps serving', async () => {
    const h = await holdOne();
    expect(held.size).to.equal(1);
    expect(scheduled).to.have.length(1);
    expect(scheduled[0]?.ms).to.equal(60_000);
    h.client.destroy();
    await once(h.server.socket, 'close');
    expect(held.size).to.equal(0);
    expect(scheduled[0]?.cancelled).to.equal(true);
    expect(h.answered()).to.equal(false);
    expect(lines.join('\n')).to.contain('"why":"client left"').and.contain('"requestId":"req-1"');
    await stillServing();
  });

  it('the bounded maximum: the connection is closed without a response', async () => {
    const h = await holdOne();
    const closed = closeOf(h.client);
    scheduled[0]?.fire();
    await closed;
    expect(h.answered()).to.equal(false);
    expect(held.size).to.equal(0);
    expect(lines.join('\n')).to.contain('"why":"maximum reached"');
    // A late close of the same request changes nothing.
    scheduled[0]?.fire();
    expect(held.size).to.equal(0);
    await stillServing();
  });

  it('a drain lets every held request go at once, and any later one on arrival', async () => {
    const a = await holdOne();
    const b = await holdOne();
    expect(held.size).to.equal(2);
    const closed = Promise.all([closeOf(a.client), closeOf(b.client)]);
    held.releaseAll();
    await closed;
    expect(held.size).to.equal(0);
    expect(scheduled.map((s) => s.cancelled)).to.deep.equal([true, true]);
    expect(lines.filter((l) => l.includes('"why":"draining"'))).to.have.length(2);
    const late = await holdOne();
    await closeOf(late.client);
    expect(late.answered()).to.equal(false);
    expect(scheduled).to.have.length(2);
    expect(held.size).to.equal(0);
  });

  it('a request whose connection is already gone is not held', () => {
    const ex = { req: { socket: { destroyed: true } } } as unknown as Exchange;
    held.hold(ex, 1000);
    expect(held.size).to.equal(0);
    expect(scheduled).to.have.length(0);
  });
});
