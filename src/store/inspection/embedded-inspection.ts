// Inspection over the embedded store (SPEC §17): the primary holds it (inspection-core.ts, next to the
// records), a worker reaches it over IPC. Events are one-way messages that ride the worker's batched
// sender, so they leave in the same write as the turn's store operations and nothing waits for them; the
// admin API's reads are RPCs. Built over plain functions so a single process can wire it to a core of its own.
import type { InspectNote, RpcClient } from '../../ipc.js';
import type { InspectionCore } from './inspection-core.js';
import type { InspectionStore } from './inspection-types.js';

/** The admin API's reads are not on any hot path: a generous bound. */
const QUERY_TIMEOUT_MS = 5000;

export function createEmbeddedInspection(opts: {
  /** The worker's batched sender (ipc.ts batchedSender): false when the channel is closed. */
  send: (msg: InspectNote) => boolean;
  rpc: RpcClient;
}): InspectionStore & { readonly dropped: number } {
  let dropped = 0;
  return {
    get dropped() {
      return dropped;
    },
    append(ev) {
      if (!opts.send({ type: 'm3ds:inspect', ev })) dropped++;
    },
    list: (q) => opts.rpc.call('inspect.list', q, QUERY_TIMEOUT_MS),
    detail: (id) => opts.rpc.call('inspect.detail', { id }, QUERY_TIMEOUT_MS),
    reset: () => opts.rpc.call('inspect.reset', {}, QUERY_TIMEOUT_MS),
    async close() {},
  };
}

/** Inspection held in this process (no primary: tests and single-process tools). */
export function localInspection(core: InspectionCore, owned = true): InspectionStore {
  return {
    append: (ev) => core.apply(ev),
    list: async (q) => core.list(q),
    detail: async (id) => core.detail(id),
    reset: async () => core.reset(),
    async close() {
      if (owned) core.close();
    },
  };
}
