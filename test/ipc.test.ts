// Batched IPC: the RPC messages of one event-loop turn leave as one write, in order; alone, a message is
// written as itself; a closed channel refuses at once.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { expect } from 'chai';
import { batchedSender, type RpcCall } from '../src/ipc.js';

const call = (id: number): RpcCall => ({ type: 'm3ds:rpc', id, method: 'store.op', params: { op: 'ping' } });

describe('ipc: batchedSender', () => {
  it('writes the messages of one turn as one batch, in order, at the end of the turn', async () => {
    const writes: unknown[] = [];
    const send = batchedSender<RpcCall>(
      (m) => writes.push(m) > 0,
      () => true,
    );
    for (let i = 1; i <= 3; i++) expect(send(call(i))).to.equal(true);
    expect(writes).to.deep.equal([]);
    await nextTurn();
    expect(writes).to.deep.equal([{ type: 'm3ds:batch', msgs: [call(1), call(2), call(3)] }]);
  });

  it('writes a lone message as itself, and a later turn as a write of its own', async () => {
    const writes: unknown[] = [];
    const send = batchedSender<RpcCall>(
      (m) => writes.push(m) > 0,
      () => true,
    );
    send(call(1));
    await nextTurn();
    send(call(2));
    send(call(3));
    await nextTurn();
    expect(writes).to.deep.equal([call(1), { type: 'm3ds:batch', msgs: [call(2), call(3)] }]);
  });

  it('refuses when the channel is closed, writing nothing', async () => {
    const writes: unknown[] = [];
    const send = batchedSender<RpcCall>(
      (m) => writes.push(m) > 0,
      () => false,
    );
    expect(send(call(1))).to.equal(false);
    await nextTurn();
    expect(writes).to.deep.equal([]);
  });
});
