// A stand-in primary for the store benchmark: hosts the embedded store and answers 'store.op' RPCs over
// a real IPC channel, as the primary does for its workers (V8 serialization, calls and replies batched per turn).
import { batchedSender, type RpcReply } from '../../src/ipc.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createEmbeddedHost } from '../../src/store/embedded-host.js';

const host = createEmbeddedHost({ maxEntries: 1_000_000, logger: createLogger('warn'), metrics: createMetrics('primary') });
type Call = { type?: string; id?: number; method?: string; params?: unknown; msgs?: Call[] };
const answer = (msg: Call): void => {
  if (msg?.type === 'm3ds:batch') {
    for (const m of msg.msgs ?? []) answer(m);
    return;
  }
  if (msg?.type !== 'm3ds:rpc' || msg.method !== 'store.op') return;
  const result = host.handle(msg.params as Parameters<typeof host.handle>[0]);
  reply({ type: 'm3ds:rpc-reply', id: msg.id as number, ok: true, result });
};
const reply = batchedSender<RpcReply>((m) => process.send?.(m) ?? false);
process.on('message', answer);
process.on('disconnect', () => process.exit(0));
