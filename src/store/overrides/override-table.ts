// Runtime scenario overrides (SPEC §17): full PAN or last 4 → a scenario in the vocabulary of
// protocol.scenarios, layered on top of the configured table. This file holds what every holder of the
// table shares: the checks of a key and a scenario, the table as a value with its version and the
// changes applied to it (the embedded primary keeps one and persists it; Redis applies the same changes
// in a script), and the lookup a worker runs for every authentication.
import { type ScenarioConfig, validateScenarioTable } from '../../config/index.js';
import type { OverrideChange, OverrideChangeResult, OverrideEntry } from '../../types.js';

const KEY_RE = /^([0-9]{4}|[0-9]{13,19})$/;

/** Why `key` cannot carry an override, or undefined. */
export function keyProblem(key: string): string | undefined {
  return KEY_RE.test(key) ? undefined : 'must be the last 4 digits or a full PAN (13 to 19 digits)';
}

/** Why `scenario` is not a scenario of the configured vocabulary, or undefined (the config's own check). */
export function scenarioProblem(key: string, scenario: unknown): string | undefined {
  try {
    validateScenarioTable({ [key]: scenario });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The key as logs and records show it: a full PAN masked (first 6, last 4). */
export function shownKey(key: string): string {
  return key.length === 4 ? key : `${key.slice(0, 6)}…${key.slice(-4)}`;
}

/** The table as a value: what the embedded primary keeps and persists. */
export class OverrideTable {
  private readonly entries = new Map<string, OverrideEntry>();
  version = 0;

  constructor(initial?: { version: number; entries: readonly OverrideEntry[] }) {
    if (initial) {
      this.version = initial.version;
      for (const e of initial.entries) this.entries.set(e.key, e);
    }
  }

  list(): OverrideEntry[] {
    return [...this.entries.values()];
  }

  apply(change: OverrideChange, now: number): OverrideChangeResult {
    switch (change.op) {
      case 'set': {
        const previous = this.entries.get(change.key);
        this.entries.set(change.key, { key: change.key, scenario: change.scenario, setBy: change.by, setAt: now });
        this.version++;
        return { changed: true, ...(previous && { previous }), removed: 0, version: this.version };
      }
      case 'delete': {
        const previous = this.entries.get(change.key);
        if (!previous) return { changed: false, removed: 0, version: this.version };
        this.entries.delete(change.key);
        this.version++;
        return { changed: true, previous, removed: 1, version: this.version };
      }
      case 'clear': {
        const removed = this.entries.size;
        this.entries.clear();
        this.version++;
        return { changed: removed > 0, removed, version: this.version };
      }
    }
  }
}

/** A lookup over one set of entries: full PAN first, then last 4. */
export interface OverrideMatch {
  key: string;
  scenario: ScenarioConfig;
}

export function overrideLookup(entries: readonly OverrideEntry[]): (pan: string) => OverrideMatch | undefined {
  if (entries.length === 0) return () => undefined;
  const byPan = new Map<string, OverrideMatch>();
  const byLast4 = new Map<string, OverrideMatch>();
  for (const e of entries) {
    const m = { key: `override:${shownKey(e.key)}`, scenario: e.scenario };
    if (e.key.length === 4) byLast4.set(e.key, m);
    else byPan.set(e.key, m);
  }
  return (pan) => byPan.get(pan) ?? byLast4.get(pan.slice(-4));
}
