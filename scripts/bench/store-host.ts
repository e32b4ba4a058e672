// A stand-in primary for the store benchmark: hosts the embedded store and answers 'store.op' RPCs over
// a real IPC channel, as the primary does for its workers.
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createEmbeddedHost } from '../../src/store/embedded-host.js';

const host = createEmbeddedHost({ maxEntries: 1_000_000, logger: createLogger('warn'), metrics: createMetrics('primary') });
process.on('message', (msg: { type?: string; id?: number; method?: string; params?: unknown }) => {
  if (msg?.type !== 'm3ds:rpc' || msg.method !== 'store.op') return;
  const result = host.handle(msg.params as Parameters<typeof host.handle>[0]);
  process.send?.({ type: 'm3ds:rpc-reply', id: msg.id, ok: true, result });
});
process.on('disconnect', () => process.exit(0));
