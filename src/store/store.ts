// The one interface every tier of the transaction store implements (DESIGN §1 "tiers share one
// interface"), and the one the protocol code uses. Records are plain JSON-serializable objects.
// Concurrency is optimistic: every write names the version it read (compare-and-set), because the ACS,
// the results call and decoupled completion can race on one transaction.

/**
 * A record with its version stamp, assigned by the store on every write. A write's version is larger than
 * every version its ID had before, even under a record that expired, was evicted or deleted since: a copy
 * holding an old version never passes for the current record. Versions are not consecutive.
 */
export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

export interface WriteOptions {
  /** Index the record under this acsTransID too (SPEC §7). */
  acsTransID?: string;
}

export interface TransactionStore<T extends object = Record<string, unknown>> {
  /** Creates a record; rejects with StoreConflictError when the ID exists. */
  create(id: string, value: T, opts?: WriteOptions): Promise<Versioned<T>>;
  /** Reads a record (refreshing its TTL); null when unknown or expired. */
  get(id: string): Promise<Versioned<T> | null>;
  /** Writes when the stored version is still `expectedVersion`; else rejects with StoreConflictError. */
  update(id: string, expectedVersion: number, value: T, opts?: WriteOptions): Promise<Versioned<T>>;
  /** Reads a record through the acsTransID index; O(1). */
  getByAcsTransID(acsTransID: string): Promise<Versioned<T> | null>;
  delete(id: string): Promise<void>;
  /** True while the L2 is reachable (readiness). */
  isReady(): boolean;
  close(): Promise<void>;
}

/** A compare-and-set that lost the race, or a create over an existing ID. */
export class StoreConflictError extends Error {
  constructor(readonly id: string) {
    super(`transaction ${id} was changed concurrently`);
    this.name = 'StoreConflictError';
  }
}

/** The L2 cannot be reached (breaker open, timeout, connection lost); maps to 503 + Retry-After. */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Read-modify-write with retries on conflict: `fn` gets the current record and returns the next one
 * (or undefined to leave it unchanged). Returns the record as stored afterwards; null when unknown.
 * `from` is a copy the caller has just read: the first try writes against it instead of reading again
 * (one store round trip fewer); a conflict means it was stale, and the retries read afresh.
 */
export async function mutate<T extends object>(
  store: TransactionStore<T>,
  id: string,
  fn: (current: T) => T | undefined,
  opts?: WriteOptions,
  maxTries = 8,
  from?: Versioned<T>,
): Promise<Versioned<T> | null> {
  for (let i = 0; i < maxTries; i++) {
    const cur = i === 0 && from !== undefined ? from : await store.get(id);
    if (!cur) return null;
    const next = fn(cur.value);
    if (next === undefined) return cur;
    try {
      return await store.update(id, cur.version, next, opts);
    } catch (err) {
      if (!(err instanceof StoreConflictError)) throw err;
    }
  }
  throw new StoreConflictError(id);
}
