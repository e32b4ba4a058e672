// Data shapes that cross the process boundary (IPC, Redis) besides the store's operations (ipc.ts):
// the inspection of transactions and the runtime scenario overrides (SPEC §17). A leaf, so ipc.ts and
// every stage can name them; the code that works on them lives in src/store/inspection/ and
// src/store/overrides/.
import type { ScenarioConfig } from './config/index.js';

/** What a trail entry holds; one per message or step. */
export type TrailKind =
  | 'version'
  | 'method'
  | 'AReq'
  | 'ARes'
  | 'Erro'
  | 'CReq'
  | 'CRes'
  | 'challenge'
  | 'redirect'
  | 'RReq'
  | 'RRes'
  | 'push';

/** Which API opened a transaction: the existing mock's or the Netcetera-shaped one (SPEC §16). */
export type ApiShape = 'mock' | 'netcetera';

/** One transaction in the index: the fields the admin list filters on and shows. */
export interface TransactionSummary {
  threeDSServerTransID: string;
  /** Epoch ms: the order of the index (newest first). */
  createdAt: number;
  /** Epoch ms of the last event. */
  updatedAt: number;
  last4?: string;
  maskedPan?: string;
  scheme?: string;
  flow?: 'browser' | 'app' | '3ri';
  api?: ApiShape;
  /** The current transStatus: the ARes's, then the results'; E for a Directory Server Erro. */
  status?: string;
  stage?: string;
  messageVersion?: string;
  /** The scenario key that matched ("override:…" for a runtime override). */
  scenario?: string;
}

/** Fields an event sets on the index entry; `createdAt` opens the entry (events without it only update one). */
export type SummaryPatch = Partial<Omit<TransactionSummary, 'threeDSServerTransID' | 'updatedAt'>>;

/** One event on its way to the L2: the entry is JSON already (masked, without CVC, bounded). */
export interface TrailEvent {
  id: string;
  /** Epoch ms. */
  at: number;
  /** The trail entry's JSON; absent for an event that only updates the index. */
  entry?: string;
  /** UTF-8 bytes of `entry`. */
  bytes?: number;
  patch?: SummaryPatch;
}

/** Where a page of the list continues: strictly older than this (createdAt desc, then ID desc). */
export interface Cursor {
  createdAt: number;
  id: string;
}

export interface ListQuery {
  last4?: string;
  status?: string;
  flow?: string;
  api?: string;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, inclusive. */
  until?: number;
  limit: number;
  cursor?: Cursor;
}

export interface Page {
  items: TransactionSummary[];
  /** Present when more items match. */
  next?: Cursor;
}

export interface TrailView {
  /** The entries' JSON, oldest first. */
  entries: string[];
  /** Entries that left the trail to keep it within its bounds. */
  dropped: number;
}

export interface Detail {
  summary: TransactionSummary | null;
  trail: TrailView | null;
}

export interface ResetOutcome {
  /** Index entries removed. */
  transactions: number;
  /** Trails removed. */
  trails: number;
}

/** A runtime scenario override: a full PAN or last 4 → a scenario of the protocol.scenarios vocabulary. */
export interface OverrideEntry {
  key: string;
  scenario: ScenarioConfig;
  /** The admin token's name that set it. */
  setBy: string;
  /** Epoch ms. */
  setAt: number;
}

/**
 * The overrides as the primary hands them to its workers. `seq` orders snapshots within one primary (a
 * worker keeps the highest it has seen); `version` is the table's own counter (in Redis, or in the file).
 */
export interface OverridesSnapshot {
  seq: number;
  version: number;
  entries: OverrideEntry[];
}

export type OverrideChange =
  | { op: 'set'; key: string; scenario: ScenarioConfig; by: string }
  | { op: 'delete'; key: string; by: string }
  | { op: 'clear'; by: string };

export interface OverrideChangeResult {
  /** False for a delete of a key that has no override. */
  changed: boolean;
  /** What the key held before (set, delete). */
  previous?: OverrideEntry;
  /** Overrides removed (delete, clear). */
  removed: number;
  version: number;
}
