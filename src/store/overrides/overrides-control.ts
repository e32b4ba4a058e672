// What the admin API of a worker uses to read and change the scenario overrides (SPEC §17): the table in
// force in this worker, and a change made by the primary (which answers once every worker applied it).
// Without a primary (tests, single-process tools) the table is held here.
import type { RpcClient } from '../../ipc.js';
import type { OverrideChange, OverrideChangeResult, OverridesSnapshot } from '../../types.js';
import { OverrideTable } from './override-table.js';
import type { OverridesView } from './overrides-view.js';

export interface OverridesControl {
  snapshot(): OverridesSnapshot;
  change(c: OverrideChange): Promise<OverrideChangeResult>;
}

/** A change waits for every worker's acknowledgement (bounded by the primary): a generous bound. */
const CHANGE_TIMEOUT_MS = 10_000;

export function primaryOverrides(view: OverridesView, rpc: RpcClient): OverridesControl {
  return {
    snapshot: () => view.snapshot(),
    change: (c) => rpc.call('overrides.change', c, CHANGE_TIMEOUT_MS),
  };
}

/** Overrides held in this process: the view is updated at once. */
export function localOverrides(view: OverridesView): OverridesControl {
  const table = new OverrideTable();
  let seq = view.snapshot().seq;
  return {
    snapshot: () => view.snapshot(),
    async change(c) {
      const result = table.apply(c, Date.now());
      view.apply({ seq: ++seq, version: table.version, entries: table.list() });
      return result;
    },
  };
}
