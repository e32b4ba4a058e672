// A worker's copy of the scenario overrides (SPEC §17). The primary hands over the whole table: at
// start-up (the overrides.get RPC) and after every change (m3ds:overrides, acknowledged), so a change
// answered through one worker is in force on every worker of the instance before the answer leaves.
// Snapshots carry the primary's sequence number; an older one arriving late (an RPC reply overtaken by a
// push) is ignored. The lookup is one or two Map reads, none at all while no override exists.
import type { OverridesSnapshot } from '../../types.js';
import { type OverrideMatch, overrideLookup } from './override-table.js';

export class OverridesView {
  private current: OverridesSnapshot = { seq: 0, version: 0, entries: [] };
  private find: (pan: string) => OverrideMatch | undefined = () => undefined;

  /** Takes a snapshot unless a newer one is in force; true when taken. */
  apply(snapshot: OverridesSnapshot): boolean {
    if (snapshot.seq < this.current.seq) return false;
    this.current = snapshot;
    this.find = overrideLookup(snapshot.entries);
    return true;
  }

  /** The override for a card: full PAN first, then last 4; undefined when none applies. */
  readonly lookup = (pan: string): OverrideMatch | undefined => this.find(pan);

  snapshot(): OverridesSnapshot {
    return this.current;
  }
}
