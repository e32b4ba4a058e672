// `npm run chaos` options (scripts/chaos/main.ts): strict parsing, --help lists every scenario.
import { expect } from 'chai';
import { parseOptions, UsageError, usage } from '../../../scripts/chaos/main.js';
import { SCENARIOS } from '../../../scripts/chaos/scenarios.js';

describe('chaos command line', () => {
  it('has defaults: every scenario, 10 s, 100,000 fuzz requests, seed 1', () => {
    const o = parseOptions([]);
    expect(o).to.not.equal('help');
    if (o === 'help') return;
    expect({ seconds: o.seconds, fuzzRequests: o.fuzzRequests, seed: o.seed }).to.deep.equal({
      seconds: 10,
      fuzzRequests: 100_000,
      seed: 1,
    });
    expect(SCENARIOS.every((s) => o.only.test(s.name))).to.equal(true);
  });

  it('takes --only, --seconds, --fuzz-requests and --seed; --help wins', () => {
    const o = parseOptions(['--only', 'SIGKILL', '--seconds', '2.5', '--fuzz-requests', '500', '--seed', '9']);
    if (o === 'help') throw new Error('unexpected help');
    expect(SCENARIOS.filter((s) => o.only.test(s.name)).map((s) => s.name)).to.deep.equal([
      'worker SIGKILL',
      'primary SIGKILL, embedded store',
      'primary SIGKILL, Redis (appendfsync always)',
    ]);
    expect([o.seconds, o.fuzzRequests, o.seed]).to.deep.equal([2.5, 500, 9]);
    expect(parseOptions(['--seconds', '3', '-h'])).to.equal('help');
  });

  it('refuses unknown options, bad numbers and a regex that matches nothing', () => {
    for (const argv of [
      ['--bogus'],
      ['--seconds', '0'],
      ['--seconds', 'x'],
      ['--fuzz-requests', '1.5'],
      ['--only', '('],
      ['--only', 'no such scenario'],
      ['extra'],
    ]) {
      expect(() => parseOptions(argv), argv.join(' ')).to.throw(UsageError);
    }
  });

  it('lists every scenario in --help', () => {
    const text = usage();
    for (const s of SCENARIOS) expect(text).to.include(s.name);
  });
});
