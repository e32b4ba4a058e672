import { expect } from 'chai';
import type { StoreOp, StoreOpResult } from '../../src/ipc.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createEmbeddedL2 } from '../../src/store/embedded-client.js';
import { createEmbeddedHost } from '../../src/store/embedded-host.js';
import { ResilientL2 } from '../../src/store/resilient-l2.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { expectRejection } from '../helpers/expect-error.js';
import { waitFor } from '../helpers/redis.js';

const logger = createLogger('silent');

/** An embedded L2 whose transport drops the next `failures` calls (a primary that does not answer). */
function flaky(breaker = { failureThreshold: 3, openMs: 60_000 }, probeIntervalMs = 60_000) {
  const host = createEmbeddedHost({ maxEntries: 100, logger, metrics: createMetrics('primary') });
  const state = { failures: 0, calls: [] as string[] };
  const call = async (op: StoreOp): Promise<StoreOpResult> => {
    state.calls.push(op.op);
    if (state.failures > 0) {
      state.failures--;
      throw new Error('store.op timed out');
    }
    return host.handle(op);
  };
  const metrics = createMetrics('worker', { defaults: false });
  const l2 = new ResilientL2(createEmbeddedL2({ call, timeoutMs: 100, onClose: () => host.close() }), {
    readRetries: 2,
    retryBackoffMs: 1,
    breaker,
    probeIntervalMs,
    logger,
    metrics,
  });
  return { l2, state, metrics };
}

describe('resilient L2 (retries, breaker, metrics)', () => {
  it('retries reads with backoff and succeeds within readRetries', async () => {
    const { l2, state } = flaky();
    await l2.exec({ op: 'create', id: 'a', value: '{}', ttlSeconds: 60 });
    state.failures = 2;
    state.calls = [];
    expect(await l2.exec({ op: 'get', id: 'a', ttlSeconds: 60 })).to.include({ status: 'found', version: 1 });
    expect(state.calls).to.deep.equal(['get', 'get', 'get']);
    await l2.close();
  });

  it('never retries a write: one attempt, then StoreUnavailableError', async () => {
    const { l2, state } = flaky();
    state.failures = 1;
    const err = await expectRejection(l2.exec({ op: 'create', id: 'w', value: '{}', ttlSeconds: 60 }), StoreUnavailableError);
    expect(err.cause).to.be.instanceOf(Error);
    expect(state.calls).to.deep.equal(['create']);
    await l2.close();
  });

  it('opens after the threshold, then refuses without calling L2; reports state and errors', async () => {
    const { l2, state, metrics } = flaky();
    state.failures = 100;
    await expectRejection(l2.exec({ op: 'get', id: 'x', ttlSeconds: 60 }), StoreUnavailableError);
    expect(state.calls.length).to.equal(3);
    expect(l2.breakerState).to.equal('open');
    expect(l2.isReady()).to.equal(false);
    const calls = state.calls.length;
    for (let i = 0; i < 10; i++)
      await expectRejection(l2.exec({ op: 'get', id: 'x', ttlSeconds: 60 }), StoreUnavailableError, undefined, `get ${i} while open`);
    expect(state.calls.length).to.equal(calls);
    expect((await metrics.gauge('store_breaker_state').get()).values[0]?.value).to.equal(2);
    const errors = (await metrics.counter('store_l2_errors_total').get()).values;
    expect(errors.find((v) => v.labels.operation === 'get')?.value).to.equal(3);
    const durations = (await metrics.histogram('store_l2_operation_duration_seconds').get()).values;
    expect(
      durations.find(
        (v) =>
          v.metricName === 'store_l2_operation_duration_seconds_count' && v.labels.operation === 'get' && v.labels.backend === 'embedded',
      )?.value,
    ).to.equal(3);
    await l2.close();
  });

  it('recovers readiness without traffic: the readiness ping is the half-open trial', async () => {
    const { l2, state } = flaky({ failureThreshold: 2, openMs: 30 }, 10);
    state.failures = 4;
    await waitFor(() => l2.breakerState === 'open', 5000, 'breaker open from failed pings');
    expect(l2.isReady()).to.equal(false);
    await waitFor(() => l2.isReady(), 5000, 'ready again');
    expect(state.calls.every((op) => op === 'ping')).to.equal(true);
    await l2.close();
  });
});
