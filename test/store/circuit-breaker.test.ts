import { expect } from 'chai';
import { type BreakerState, CircuitBreaker } from '../../src/store/circuit-breaker.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { expectThrow } from '../helpers/expect-error.js';

function setup(failureThreshold = 3, openMs = 2000) {
  const clock = { t: 0 };
  const states: BreakerState[] = [];
  const breaker = new CircuitBreaker({ failureThreshold, openMs, now: () => clock.t, onStateChange: (s) => states.push(s) });
  return { clock, states, breaker };
}

describe('circuit breaker', () => {
  it('opens after failureThreshold consecutive failures and then refuses at once', () => {
    const { breaker, states } = setup(3);
    for (let i = 0; i < 2; i++) breaker.failure(breaker.admit());
    breaker.success(breaker.admit()); // a success resets the count
    for (let i = 0; i < 2; i++) breaker.failure(breaker.admit());
    expect(breaker.state).to.equal('closed');
    breaker.failure(breaker.admit());
    expect(breaker.state).to.equal('open');
    expect(states).to.deep.equal(['open']);
    expect(() => breaker.admit()).to.throw(StoreUnavailableError);
  });

  it('gives Retry-After as the rest of the open period, at least 1 s', () => {
    const { breaker, clock } = setup(1, 2500);
    breaker.failure(breaker.admit());
    expect(expectThrow(() => breaker.admit(), StoreUnavailableError, undefined, 'admit() while open').retryAfterSeconds).to.equal(3);
    clock.t = 2400;
    expect(breaker.retryAfterSeconds()).to.equal(1);
  });

  it('lets exactly one trial through after openMs; its success closes the breaker', () => {
    const { breaker, clock, states } = setup(1, 1000);
    breaker.failure(breaker.admit());
    clock.t = 1000;
    const trial = breaker.admit();
    expect(trial).to.equal('trial');
    expect(breaker.state).to.equal('half-open');
    expect(() => breaker.admit()).to.throw(StoreUnavailableError);
    breaker.success(trial);
    expect(breaker.state).to.equal('closed');
    expect(states).to.deep.equal(['open', 'half-open', 'closed']);
  });

  it('reopens for another full period when the trial fails', () => {
    const { breaker, clock } = setup(1, 1000);
    breaker.failure(breaker.admit());
    clock.t = 1500;
    breaker.failure(breaker.admit());
    expect(breaker.state).to.equal('open');
    clock.t = 2400;
    expect(() => breaker.admit()).to.throw(StoreUnavailableError);
    clock.t = 2500;
    expect(breaker.admit()).to.equal('trial');
  });

  it('ignores late results of calls admitted before it opened', () => {
    const { breaker } = setup(2);
    const early = breaker.admit();
    breaker.failure(breaker.admit());
    breaker.failure(breaker.admit());
    expect(breaker.state).to.equal('open');
    breaker.success(early);
    expect(breaker.state).to.equal('open');
  });

  it('closes on reset (the connection came back)', () => {
    const { breaker } = setup(1);
    breaker.failure(breaker.admit());
    breaker.reset();
    expect(breaker.state).to.equal('closed');
    expect(breaker.admit()).to.equal('normal');
  });
});
