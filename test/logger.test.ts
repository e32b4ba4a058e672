import { expect } from 'chai';
import { createLogger, hasPanRun, type LogFields, type Logger, maskPan, maskPans } from '../src/logger.js';

const PANS = /4111111111111111|4000400040004001|5200000000004001|340000000000009|6011000000000000004/;

/** A logger writing into an array, and its lines parsed (each must be one JSON object ending in a newline). */
function capture(level: Logger['level'] = 'info', base: LogFields = { pid: 7, role: 't' }) {
  const raw: string[] = [];
  const log = createLogger(level, base, (l) => raw.push(l));
  const parsed = () =>
    raw.map((l) => {
      expect(l.endsWith('\n') && l.indexOf('\n') === l.length - 1, `one line: ${l}`).to.equal(true);
      return JSON.parse(l) as Record<string, unknown>;
    });
  return { log, raw, parsed };
}

describe('logger', () => {
  describe('masking functions', () => {
    it('masks every PAN-length digit run, keeping first 6 and last 4', () => {
      expect(maskPans('card 4000400040004001 ok')).to.equal('card 400040******4001 ok');
      expect(maskPans('amex 340000000000009')).to.equal('amex 340000*****0009');
      expect(maskPans('19 digits 6011000000000000004')).to.equal('19 digits 601100*********0004');
      expect(maskPans('4111111111111111')).to.equal('411111******1111');
      expect(maskPans('a4111111111111111b5200000000004001')).to.equal('a411111******1111b520000******4001');
      expect(maskPans('short 123456789012 stays')).to.equal('short 123456789012 stays');
      expect(maskPans('20 digits 12345678901234567890 are no PAN')).to.equal('20 digits 12345678901234567890 are no PAN');
      expect(maskPan('5200000000004001')).to.equal('520000******4001');
    });

    it('pre-checks exactly the strings that hold a run of 13 or more digits', () => {
      const withRun = (s: string) => /[0-9]{13}/.test(s);
      const fixed = [
        '',
        '1234567890123',
        'x1234567890123',
        '123456789012x',
        'ab123456789012cd1234567890123',
        '123456789012 123456789012',
        '0'.repeat(40),
        'a'.repeat(12) + '1'.repeat(13),
      ];
      for (const s of fixed) expect(hasPanRun(s), s).to.equal(withRun(s));
      // Random strings of digits with a few separators, at every length and offset near the threshold.
      let seed = 42;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      for (let i = 0; i < 5000; i++) {
        let s = '';
        const len = rnd(60);
        for (let j = 0; j < len; j++) s += rnd(12) === 0 ? '-' : String(rnd(10));
        expect(hasPanRun(s), s).to.equal(withRun(s));
      }
    });
  });

  describe('general lines', () => {
    it('writes one JSON object per line: level label, ISO time, base fields, msg, then the fields', () => {
      const { log, parsed } = capture();
      log.info('hello', { a: 1, b: 'two', skipped: undefined });
      const [line] = parsed();
      expect(Object.keys(line as object)).to.deep.equal(['level', 'time', 'pid', 'role', 'msg', 'a', 'b']);
      expect(line).to.include({ level: 'info', pid: 7, role: 't', msg: 'hello', a: 1, b: 'two' });
      expect(new Date(line?.time as string).toISOString()).to.equal(line?.time);
    });

    it('masks PANs in the message, string fields, keys, nested objects, arrays and numbers', () => {
      const { log, raw, parsed } = capture();
      log.warn('pan 4000400040004001 seen', {
        acct: '5200000000004001',
        nested: { deeper: { pan: 4111111111111111, list: [4000400040004001, 7, 'x 6011000000000000004'] } },
        big: 4111111111111111n,
        '5200000000004001': 'key',
        url: new URL('https://merchant.example/return?card=4111111111111111'),
        when: new Date(0),
      });
      expect(raw.join('')).to.not.match(PANS);
      const [l] = parsed();
      expect(l).to.deep.include({
        level: 'warn',
        msg: 'pan 400040******4001 seen',
        acct: '520000******4001',
        nested: { deeper: { pan: '411111******1111', list: ['400040******4001', 7, 'x 601100*********0004'] } },
        big: '411111******1111',
        '520000******4001': 'key',
        url: 'https://merchant.example/return?card=411111******1111',
        when: '1970-01-01T00:00:00.000Z',
      });
    });

    it('leaves values without a PAN as they are, without copying them', () => {
      const { log, parsed } = capture();
      const shared = { id: '3f1c2a4e-9b8d-4c7e-a1b2-0d9e8f7a6b5c', n: 123456789012, ok: true, none: null, list: [1, 'two'] };
      log.info('plain', { shared, epochSeconds: 1796179475 });
      expect(parsed()[0]).to.deep.include({ shared, epochSeconds: 1796179475 });
      expect(shared.id).to.equal('3f1c2a4e-9b8d-4c7e-a1b2-0d9e8f7a6b5c');
      // The caller's objects are never modified, even when the line needed a masked copy.
      const mine = { pan: '4111111111111111' };
      log.info('copy', { mine });
      expect(mine.pan).to.equal('4111111111111111');
    });

    it('serializes errors, anywhere in the fields, as {name, message, stack} with PANs masked', () => {
      const { log, raw, parsed } = capture();
      const err = new TypeError('card 5200000000004001 refused');
      log.error('failed', { err, causes: [new Error('again 4111111111111111')] });
      expect(raw.join('')).to.not.match(PANS);
      const l = parsed()[0] as { err: Record<string, string>; causes: Record<string, string>[] };
      expect(l.err.name).to.equal('TypeError');
      expect(l.err.message).to.equal('card 520000******4001 refused');
      expect(l.err.stack).to.match(/^TypeError: card 520000\*{6}4001 refused\n\s+at /);
      expect(l.causes[0]?.message).to.equal('again 411111******1111');
    });

    it('writes valid JSON whatever a client put in a string, and masks PANs inside it', () => {
      const { log, raw, parsed } = capture();
      const nasty = [
        '"4111111111111111"',
        '\\"},"injected":1,"x":"',
        'line\nbreak\r\t\u0000\u001f',
        '</script><script>alert(1)</script>',
        'emoji 😀 and lone \ud800 surrogate',
        '\u2028\u2029',
        'x'.repeat(300) + '4111111111111111"' + '\\'.repeat(3),
      ];
      for (const s of nasty) log.info(s, { s, [s]: s, list: [s] });
      const lines = parsed();
      expect(lines).to.have.length(nasty.length);
      expect(raw.join('')).to.not.match(PANS);
      // As the file descriptor gets them, UTF-8 encoded (a lone surrogate becomes U+FFFD), they still parse.
      for (const l of raw) expect(() => JSON.parse(Buffer.from(l, 'utf8').toString('utf8'))).to.not.throw();
      lines.forEach((l, i) => {
        const want = maskPans(nasty[i] as string);
        expect(l.msg).to.equal(want);
        expect(l.s).to.equal(want);
        expect(l.list).to.deep.equal([want]);
        expect(l).to.not.have.property('injected');
      });
    });

    it('survives circular and very deep values', () => {
      const { log, parsed } = capture();
      const circ: Record<string, unknown> = { pan: '4111111111111111' };
      circ.self = circ;
      let deep: Record<string, unknown> = { pan: '4111111111111111' };
      for (let i = 0; i < 20; i++) deep = { deep };
      log.info('odd', { circ, deep });
      const l = parsed()[0] as { circ: Record<string, unknown>; deep: unknown };
      expect(l.circ).to.deep.equal({ pan: '411111******1111', self: '[Circular]' });
      expect(JSON.stringify(l.deep)).to.include('[too deep]').and.not.include('4111111111111111');
    });

    it('honours the level, changed live, for the logger and every child', () => {
      const { log, parsed } = capture('info');
      const child = log.child({ component: 'store' });
      log.debug('hidden');
      child.debug('hidden too');
      expect(log.enabled('debug')).to.equal(false);
      log.level = 'debug';
      expect(child.level).to.equal('debug');
      expect(child.enabled('debug')).to.equal(true);
      log.debug('now shown');
      child.debug('child shown');
      child.level = 'error';
      log.warn('hidden again');
      log.error('shown');
      log.level = 'silent';
      log.fatal('silent');
      expect(parsed().map((l) => l.msg)).to.deep.equal(['now shown', 'child shown', 'shown']);
    });

    it('puts child bindings, masked, on the child lines only', () => {
      const { log, parsed } = capture();
      const child = log.child({ component: 'store', backend: 'redis' });
      const grandchild = child.child({ shard: 2, tag: 'x4111111111111111' });
      grandchild.info('deep');
      child.info('child');
      log.info('root');
      const [g, c, r] = parsed();
      expect(Object.keys(g as object)).to.deep.equal(['level', 'time', 'pid', 'role', 'component', 'backend', 'shard', 'tag', 'msg']);
      expect(g).to.include({ component: 'store', backend: 'redis', shard: 2, tag: 'x411111******1111', msg: 'deep' });
      expect(c).to.include({ component: 'store', msg: 'child' }).and.not.have.property('shard');
      expect(r).to.not.have.property('component');
    });
  });

  describe('access line', () => {
    const uuid = '3f1c2a4e-9b8d-4c7e-a1b2-0d9e8f7a6b5c';

    it('writes the known fields at info, msg "request"', () => {
      const { log, parsed } = capture();
      log.access({ method: 'POST', route: '/3ds/authenticate', status: 200, durationMs: 1.234, requestId: uuid, transId: uuid });
      log.access({ method: 'GET', route: 'unmatched', status: 404, durationMs: 0.5, requestId: 'abc', transId: undefined });
      const [a, b] = parsed();
      expect(Object.keys(a as object)).to.deep.equal([
        'level',
        'time',
        'pid',
        'role',
        'msg',
        'method',
        'route',
        'status',
        'durationMs',
        'requestId',
        'transId',
      ]);
      expect(a).to.include({
        level: 'info',
        msg: 'request',
        method: 'POST',
        route: '/3ds/authenticate',
        status: 200,
        durationMs: 1.234,
        requestId: uuid,
        transId: uuid,
      });
      expect(b).to.include({ status: 404, requestId: 'abc' }).and.not.have.property('transId');
    });

    it('masks a digit run a client put in the request id or the transaction id', () => {
      const { log, raw, parsed } = capture();
      log.access({
        method: 'POST',
        route: '/3ds/version',
        status: 200,
        durationMs: 1,
        requestId: 'order:4111111111111111',
        transId: '5200000000004001',
      });
      log.access({
        method: 'POST',
        route: '/3ds/version',
        status: 200,
        durationMs: 1,
        requestId: '4000400040004001',
        transId: '"4111111111111111\n',
      });
      expect(raw.join('')).to.not.match(PANS);
      const [a, b] = parsed();
      expect(a).to.include({ requestId: 'order:411111******1111', transId: '520000******4001' });
      expect(b).to.include({ requestId: '400040******4001', transId: '"411111******1111\n' });
    });

    it('carries tlsClient under mTLS (SPEC §18), and nothing otherwise', () => {
      const { log, parsed } = capture();
      log.access({ method: 'GET', route: '/health', status: 200, durationMs: 1, requestId: uuid, tlsClient: 'authorized' });
      log.access({ method: 'GET', route: '/health', status: 200, durationMs: 1, requestId: uuid, tlsClient: 'none' });
      log.access({ method: 'GET', route: '/health', status: 200, durationMs: 1, requestId: uuid });
      const [a, b, c] = parsed();
      expect(a).to.include({ tlsClient: 'authorized' });
      expect(b).to.include({ tlsClient: 'none' });
      expect(c).to.not.have.property('tlsClient');
    });

    it('is filtered by the level like any info line', () => {
      const { log, parsed } = capture('warn');
      log.access({ method: 'GET', route: '/health', status: 200, durationMs: 1, requestId: uuid });
      expect(parsed()).to.have.length(0);
      log.level = 'info';
      log.child({ component: 'http' }).access({ method: 'GET', route: '/health', status: 200, durationMs: 1, requestId: uuid });
      expect(parsed()[0]).to.include({ component: 'http', msg: 'request' });
    });
  });
});
