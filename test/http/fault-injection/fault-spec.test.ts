// Faults as data: header parsing, delay sampling, rule matching and combination, and the validation of
// faults.rules in the configuration (one test per rejected value).
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { configSchema } from '../../../src/config/schema.js';
import {
  compileRoute,
  compileRules,
  FaultHeaderError,
  faultFromHeaders,
  faultFromRules,
  NO_FAULT,
  parseDelayHeader,
  parseErrorHeader,
  sampleDelay,
} from '../../../src/http/fault-injection/fault-spec.js';
import { expectThrow } from '../../helpers/expect-error.js';

/** A random source that plays back the given values. */
const seq = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] as number;
};

describe('fault spec', () => {
  it('parses X-Mock-Delay in its three kinds', () => {
    expect(parseDelayHeader('250')).to.deep.equal({ kind: 'fixed', ms: 250 });
    expect(parseDelayHeader('fixed:40')).to.deep.equal({ kind: 'fixed', ms: 40 });
    expect(parseDelayHeader(' uniform:100-300 ')).to.deep.equal({ kind: 'uniform', min: 100, max: 300 });
    expect(parseDelayHeader('lognormal:200,0.5')).to.deep.equal({ kind: 'lognormal', median: 200, sigma: 0.5 });
    for (const bad of ['soon', '-5', 'uniform:300-100', 'lognormal:200', 'lognormal:200,11', 'uniform:1-', '']) {
      expect(() => parseDelayHeader(bad), bad).to.throw(FaultHeaderError, /X-Mock-Delay/);
    }
  });

  it('parses X-Mock-Error as status with an optional EMVCo code (405 by default)', () => {
    expect(parseErrorHeader('503')).to.deep.equal({ status: 503, errorCode: '405' });
    expect(parseErrorHeader('409:305')).to.deep.equal({ status: 409, errorCode: '305' });
    for (const bad of ['200', '5031', '503:40', 'oops', '600'])
      expect(() => parseErrorHeader(bad), bad).to.throw(FaultHeaderError, /X-Mock-Error/);
  });

  it('draws delays: uniform within bounds, lognormal around its median', () => {
    expect(sampleDelay({ kind: 'fixed', ms: 7 })).to.equal(7);
    expect(sampleDelay({ kind: 'uniform', min: 100, max: 300 }, seq(0))).to.equal(100);
    expect(sampleDelay({ kind: 'uniform', min: 100, max: 300 }, seq(0.5))).to.equal(200);
    // u2 = 0.25 makes the normal draw 0: the median itself.
    expect(sampleDelay({ kind: 'lognormal', median: 200, sigma: 0.5 }, seq(0.3, 0.25))).to.be.closeTo(200, 1e-9);
    // u1 = 1 - e^-0.5, u2 = 0 make it 1: median · e^sigma.
    expect(sampleDelay({ kind: 'lognormal', median: 200, sigma: 0.5 }, seq(1 - Math.exp(-0.5), 0))).to.be.closeTo(
      200 * Math.exp(0.5),
      1e-9,
    );
    for (let i = 0; i < 200; i++) expect(sampleDelay({ kind: 'lognormal', median: 100, sigma: 1 })).to.be.above(0);
  });

  it('reads the headers of a request, capping the delay', () => {
    expect(faultFromHeaders({}, 1000)).to.equal(undefined);
    expect(faultFromHeaders({ 'x-mock-delay': '5000' }, 1000)).to.deep.equal({ delayMs: 1000, error: undefined, drop: false });
    expect(faultFromHeaders({ 'x-mock-error': '503:405', 'x-mock-drop': 'false' }, 1000)).to.deep.equal({
      delayMs: 0,
      error: { status: 503, errorCode: '405' },
      drop: false,
    });
    expect(faultFromHeaders({ 'x-mock-drop': 'true' }, 1000)?.drop).to.equal(true);
    expect(() => faultFromHeaders({ 'x-mock-drop': 'maybe' }, 1000)).to.throw(FaultHeaderError, /X-Mock-Drop/);
  });

  it('matches routes exactly, by template and by prefix', () => {
    expect(compileRoute('/3ds/authenticate')('/3ds/authenticate')).to.equal(true);
    expect(compileRoute('/3ds/authenticate')('/3ds/authenticate/x')).to.equal(false);
    const tpl = compileRoute('/3ds/:step');
    expect(tpl('/3ds/version')).to.equal(true);
    expect(tpl('/3ds/')).to.equal(false);
    expect(tpl('/3ds/a/b')).to.equal(false);
    const prefix = compileRoute('/processor/*');
    expect(prefix('/processor/mock/acs/trigger-otp')).to.equal(true);
    expect(prefix('/3ds/version')).to.equal(false);
  });

  it('combines the rules that fire: delays add up (capped), the first error wins, any drop drops', () => {
    const rules = compileRules([
      { route: '/3ds/*', delay: { kind: 'fixed', ms: 100 } },
      { route: '/3ds/:step', method: 'post', delay: { kind: 'fixed', ms: 50 }, error: { status: 502 } },
      { route: '/3ds/version', error: { status: 503, errorCode: '402' }, probability: 0.5 },
      { route: '/challenge', drop: true },
    ]);
    expect(faultFromRules(rules, 'POST', '/3ds/version', 10_000, seq(0.1))).to.deep.equal({
      delayMs: 150,
      error: { status: 502, errorCode: '405' },
      drop: false,
    });
    expect(faultFromRules(rules, 'GET', '/3ds/version', 10_000, seq(0.1))).to.deep.equal({
      delayMs: 100,
      error: { status: 503, errorCode: '402' },
      drop: false,
    });
    expect(faultFromRules(rules, 'GET', '/3ds/version', 10_000, seq(0.9))).to.deep.equal({ delayMs: 100, drop: false });
    expect(faultFromRules(rules, 'POST', '/3ds/version', 120, seq(0.1)).delayMs).to.equal(120);
    expect(faultFromRules(rules, 'POST', '/challenge', 1000).drop).to.equal(true);
    expect(faultFromRules(rules, 'POST', '/health', 1000)).to.equal(NO_FAULT);
  });

  describe('faults.rules in the configuration', () => {
    const load = (rules: unknown) => loadConfig({ env: { NODE_ENV: 'test', FAULT_RULES: JSON.stringify(rules) } });
    const rejects = (rules: unknown, pattern: RegExp) =>
      expect(expectThrow(() => load(rules), ConfigError, pattern, `loading faults.rules ${JSON.stringify(rules)}`).message).to.match(
        /faults\.rules/,
      );

    it('is off by default in the schema and on for the test and development files', () => {
      expect(configSchema.faults.headersEnabled.default).to.equal(false);
      expect(configSchema.faults.rules.default).to.deep.equal([]);
      expect(loadConfig({ env: { NODE_ENV: 'test' } }).config.faults.headersEnabled).to.equal(true);
      expect(loadConfig({ env: { NODE_ENV: 'development' } }).config.faults.headersEnabled).to.equal(true);
    });

    it('accepts rules from the environment as JSON', () => {
      const rules = [
        { route: '/3ds/:step', probability: 0.1, delay: { kind: 'lognormal', median: 200, sigma: 0.5 } },
        { route: '/challenge', error: { status: 503, errorCode: '405' } },
        { route: '/processor/*', method: 'POST', drop: true },
      ];
      expect(load(rules).config.faults.rules).to.deep.equal(rules);
    });

    const cases: [string, unknown, RegExp][] = [
      // convict refuses an object in place of the list before the format runs, in its own words.
      ['a non-list', { route: '/x' }, /missing from config|not declared|must be a list/],
      ['a string', 'drop everything', /must be a list/],
      ['a rule that is not an object', ['/x'], /rule 0 must be an object/],
      ['a rule without a route', [{ drop: true }], /route must be a path/],
      ['a route without a leading slash', [{ route: 'x', drop: true }], /route must be a path/],
      ['an unknown key', [{ route: '/x', drop: true, when: 'always' }], /unknown key "when"/],
      ['a probability above 1', [{ route: '/x', drop: true, probability: 1.5 }], /probability/],
      ['a rule that does nothing', [{ route: '/x' }], /needs a delay, an error or drop/],
      ['an unknown delay kind', [{ route: '/x', delay: { kind: 'gamma', ms: 1 } }], /delay kind/],
      ['a negative fixed delay', [{ route: '/x', delay: { kind: 'fixed', ms: -1 } }], /fixed delay/],
      ['a uniform delay with min above max', [{ route: '/x', delay: { kind: 'uniform', min: 5, max: 1 } }], /uniform delay/],
      ['a lognormal delay without sigma', [{ route: '/x', delay: { kind: 'lognormal', median: 5 } }], /lognormal delay/],
      ['an error status below 400', [{ route: '/x', error: { status: 302 } }], /error\.status/],
      ['an error code that is not 3 digits', [{ route: '/x', error: { status: 503, errorCode: '4050' } }], /errorCode/],
      ['a method that is not a word', [{ route: '/x', drop: true, method: 'GET /' }], /method/],
      ['a drop that is not a boolean', [{ route: '/x', drop: 'yes' }], /drop must be a boolean/],
    ];
    for (const [what, rules, pattern] of cases) it(`rejects ${what}`, () => rejects(rules, pattern));
  });
});
