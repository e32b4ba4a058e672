// Where the scenario overrides live (SPEC §17), as the primary sees it: with the embedded store, a table
// in the primary persisted to a JSON file in protocol.signing.dataDir (so a full restart keeps it); with
// Redis, a hash every instance shares (redis-overrides.ts). Either way the primary is the one holder a
// worker asks, and workers get the table pushed after every change.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../logger.js';
import type { OverrideChange, OverrideChangeResult, OverrideEntry } from '../../types.js';
import { keyProblem, OverrideTable, scenarioProblem } from './override-table.js';

export interface StoredOverrides {
  version: number;
  entries: OverrideEntry[];
}

export interface OverridesBackend {
  readonly kind: 'file' | 'redis';
  /** The table as stored now. */
  load(): Promise<StoredOverrides>;
  /** Applies one change where the table lives; rejects when that place cannot be reached or written. */
  change(c: OverrideChange, now: number): Promise<OverrideChangeResult>;
  /** Called when the table changed elsewhere (another instance sharing Redis). */
  onRemoteChange(listener: () => void): void;
  close(): Promise<void>;
}

/** Entries read back from a file or Redis, keeping only those that still pass the checks. */
export function sane(entries: unknown[], logger: Logger): OverrideEntry[] {
  const out: OverrideEntry[] = [];
  for (const raw of entries) {
    const e = raw as Partial<OverrideEntry> | null;
    if (!e || typeof e.key !== 'string' || keyProblem(e.key) || scenarioProblem(e.key, e.scenario)) {
      logger.warn('stored scenario override ignored: not valid', { key: typeof e?.key === 'string' ? e.key.slice(0, 20) : undefined });
      continue;
    }
    out.push({
      key: e.key,
      scenario: e.scenario as OverrideEntry['scenario'],
      setBy: typeof e.setBy === 'string' ? e.setBy : 'unknown',
      setAt: typeof e.setAt === 'number' ? e.setAt : 0,
    });
  }
  return out;
}

/**
 * The embedded store's home for overrides: held in memory, written to `file` (a temporary file, then a
 * rename, so a crash mid-write never leaves half a table) before a change is answered.
 */
export function fileOverrides(file: string, logger: Logger): OverridesBackend {
  let table: OverrideTable | undefined;

  async function current(): Promise<OverrideTable> {
    if (table) return table;
    let stored: StoredOverrides = { version: 0, entries: [] };
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<StoredOverrides>;
      stored = {
        version: typeof parsed.version === 'number' ? parsed.version : 0,
        entries: sane(Array.isArray(parsed.entries) ? parsed.entries : [], logger),
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        logger.error('scenario overrides file unreadable; starting empty', { file, err });
    }
    table = new OverrideTable(stored);
    return table;
  }

  return {
    kind: 'file',
    async load() {
      const t = await current();
      return { version: t.version, entries: t.list() };
    },
    async change(c, now) {
      const t = await current();
      // Applied to a copy, which replaces the table once it is on disk: a failed write changes nothing.
      const next = new OverrideTable({ version: t.version, entries: t.list() });
      const result = next.apply(c, now);
      if (result.changed) {
        await mkdir(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify({ version: next.version, entries: next.list() }, null, 2)}\n`, { mode: 0o600 });
        await rename(tmp, file);
        table = next;
      }
      return result;
    },
    onRemoteChange() {},
    async close() {},
  };
}
