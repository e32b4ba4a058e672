// The QA console's shared state (SPEC §17): what more than one part of the page reads or changes — whether
// the tester is signed in, the card table, the live list's poll timer, the transaction whose timeline is
// open, the transaction of the last browser-flow run — in one object, since a module's own variables
// cannot be reassigned from another. State that one part alone keeps stays in that part's module.

/** A JSON object as the server answers it. */
export type Json = Record<string, unknown>;

/** A row of the configured card table (GET /__admin/scenarios). */
export interface CardRow {
  key: string;
  name?: string;
  cardNumber?: string;
  scenario: Json;
}

export const state: {
  signedIn: boolean;
  scenarios: CardRow[];
  pollTimer: number | undefined;
  /** The transaction whose timeline is open. */
  selected: string | undefined;
  /** The transaction of the last run, for "Open its timeline". */
  lastRunId: string | undefined;
} = {
  signedIn: false,
  scenarios: [],
  pollTimer: undefined,
  selected: undefined,
  lastRunId: undefined,
};
