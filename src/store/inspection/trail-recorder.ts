// The protocol's TrailSink in a worker (SPEC §17): serializes each message once (masked, no CVC, bounded;
// trail-entry.ts) and hands it to the inspection store, which sends it fire-and-forget. With
// inspection.enabled false (a load test that wants no trail cost) it does nothing at all; the switch
// reloads live.
import type { Config } from '../../config/index.js';
import type { InspectionStore, SummaryPatch, TrailKind, TrailSink } from './inspection-types.js';
import { encodeEntry } from './trail-entry.js';

export function createTrailRecorder(opts: { config: () => Config; store: InspectionStore; now?: () => number }): TrailSink {
  const now = opts.now ?? Date.now;
  return {
    add(id: string, kind: TrailKind, message: unknown, patch?: SummaryPatch, note?: string): void {
      const c = opts.config();
      if (!c.inspection.enabled) return;
      const at = now();
      const e = encodeEntry(at, kind, message, c.inspection.trailMaxBytes, note);
      opts.store.append({ id, at, entry: e.json, bytes: e.bytes, ...(patch && { patch }) });
    },
  };
}
