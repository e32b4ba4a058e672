import { expect } from 'chai';
import { createLogger, maskPan, maskPans } from '../src/logger.js';

describe('logger', () => {
  it('masks every PAN-length digit run, keeping first 6 and last 4', () => {
    expect(maskPans('card 4000400040004001 ok')).to.equal('card 400040******4001 ok');
    expect(maskPans('amex 340000000000009')).to.equal('amex 340000*****0009');
    expect(maskPans('19 digits 6011000000000000004')).to.equal('19 digits 601100*********0004');
    expect(maskPans('short 123456789012 stays')).to.equal('short 123456789012 stays');
    expect(maskPan('5200000000004001')).to.equal('520000******4001');
  });

  it('writes JSON lines with masked PANs in messages and fields, honours the live level', () => {
    const lines: string[] = [];
    const log = createLogger('info', { role: 't' }, (l) => lines.push(l));
    log.debug('hidden');
    log.info('pan 4000400040004001 seen', { acct: '5200000000004001', nested: { pan: 4111111111111111 } });
    expect(lines).to.have.length(1);
    const parsed = JSON.parse(lines[0] as string);
    expect(parsed).to.include({ level: 'info', role: 't', msg: 'pan 400040******4001 seen', acct: '520000******4001' });
    expect(lines[0]).to.not.match(/4111111111111111|4000400040004001|5200000000004001/);
    log.info('path', { route: '/3ds/x:4000000000001000', list: [4000000000001000, 7], err: new Error('card 5200000000004001') });
    const tricky = JSON.parse(lines[1] as string);
    expect(tricky.route).to.equal('/3ds/x:400000******1000');
    expect(tricky.list).to.deep.equal(['400000******1000', 7]);
    expect(tricky.err.message).to.equal('card 520000******4001');
    lines.splice(1, 1);
    log.level = 'debug';
    log.debug('now shown');
    expect(lines).to.have.length(2);
  });
});
