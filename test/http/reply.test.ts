// Answers written with writeHead/end: the content type's security headers, the caller's extra headers
// winning whatever their case, one Content-Length — read off the raw socket, where a header sent twice
// would show.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { newExchange } from '../../src/http/exchange.js';
import { liveSnapshots } from '../../src/http/live.js';
import { HTML_TYPE, sendBody, sendJson } from '../../src/http/reply.js';
import { testDeps } from '../helpers/app-deps.js';

type Answer = (ex: ReturnType<typeof newExchange>) => void;

/** The raw header lines of one answer, as the bytes on the wire have them. */
async function rawHeaders(answer: Answer): Promise<string[]> {
  const live = liveSnapshots(testDeps().config);
  const server = http.createServer((req, res) => answer(newExchange(req, res, live())));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const text = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1', () => sock.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let buf = '';
      sock.setEncoding('utf8').on('data', (c: string) => {
        buf += c;
      });
      sock.on('end', () => resolve(buf));
      sock.on('error', reject);
    });
    return (text.split('\r\n\r\n')[0] ?? '').split('\r\n').slice(1);
  } finally {
    server.close();
  }
}

const named = (lines: string[], name: string) => lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));

describe('http/reply', () => {
  it('sends the security headers of the content type, one Content-Type and one Content-Length', async () => {
    const lines = await rawHeaders((ex) => sendJson(ex, 200, { ok: true }));
    expect(named(lines, 'content-type')).to.deep.equal(['Content-Type: application/json; charset=utf-8']);
    expect(named(lines, 'content-length')).to.deep.equal(['Content-Length: 11']);
    expect(named(lines, 'x-content-type-options')).to.have.length(1);
  });

  it('lets an extra header replace ours whatever its case, never sending the name twice', async () => {
    const lines = await rawHeaders((ex) =>
      sendBody(ex, 200, HTML_TYPE, '<p>x</p>', {
        'content-security-policy': "default-src 'none'",
        'x-content-type-options': 'nosniff',
        'content-type': 'text/html; charset=iso-8859-1',
        'content-length': 999,
      }),
    );
    expect(named(lines, 'content-security-policy')).to.deep.equal(["content-security-policy: default-src 'none'"]);
    expect(named(lines, 'x-content-type-options')).to.have.length(1);
    expect(named(lines, 'content-type')).to.deep.equal(['content-type: text/html; charset=iso-8859-1']);
    // The length is the body's, whatever the caller passed.
    expect(named(lines, 'content-length')).to.deep.equal(['Content-Length: 8']);
  });
});
