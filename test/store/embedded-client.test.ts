import { expect } from 'chai';
import { type RpcCall, RpcClient, RpcError, type RpcReply, type StoreOp } from '../../src/ipc.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createEmbeddedL2, rpcStoreCall } from '../../src/store/embedded-client.js';
import { createEmbeddedHost, type EmbeddedHost } from '../../src/store/embedded-host.js';
import { L2Store } from '../../src/store/l2-store.js';
import { expectRejection } from '../helpers/expect-error.js';
import { storeContract } from './store-contract.js';

const logger = createLogger('silent');

/** Wires an RpcClient to a host the way the primary does, with the IPC channel's serialization ('advanced': structured clone). */
function loopbackRpc(host: EmbeddedHost): RpcClient {
  const rpc: RpcClient = new RpcClient((msg: RpcCall) => {
    const wire = structuredClone(msg);
    setImmediate(() => {
      let reply: RpcReply;
      try {
        reply = { type: 'm3ds:rpc-reply', id: wire.id, ok: true, result: host.handle(wire.params as StoreOp) };
      } catch (err) {
        reply = { type: 'm3ds:rpc-reply', id: wire.id, ok: false, error: (err as Error).message };
      }
      rpc.handle(structuredClone(reply));
    });
    return true;
  });
  return rpc;
}

describe('embedded L2: worker client → primary host', () => {
  describe('over the RPC client (IPC serialization)', () => {
    storeContract(async ({ ttlSeconds }) => {
      let t = 1_000_000;
      const host = createEmbeddedHost({ maxEntries: 10_000, logger, metrics: createMetrics('primary'), now: () => t });
      const l2 = createEmbeddedL2({ call: rpcStoreCall(loopbackRpc(host)), timeoutMs: 1000, onClose: () => host.close() });
      const store = new L2Store(l2, ttlSeconds);
      return {
        store,
        advance: (ms) => {
          t += ms;
        },
        close: () => store.close(),
      };
    });
  });

  it('reports a failure of the host as a rejected operation', async () => {
    const host = createEmbeddedHost({ maxEntries: 10, logger, metrics: createMetrics('primary') });
    const l2 = createEmbeddedL2({ call: rpcStoreCall(loopbackRpc(host)), timeoutMs: 1000, onClose: () => host.close() });
    await expectRejection(l2.exec({ op: 'bogus' } as unknown as StoreOp), RpcError, /unknown store operation/);
    await l2.close();
  });

  it('times out when the primary does not answer', async () => {
    const silent = new RpcClient(() => true);
    const l2 = createEmbeddedL2({ call: rpcStoreCall(silent), timeoutMs: 50 });
    const err = await expectRejection(l2.exec({ op: 'ping' }), RpcError, /timed out/);
    expect(err.code).to.equal('RPC_TIMEOUT');
  });
});
