// A test-only TransactionStore: versions, compare-and-set and the acsTransID index as the interface
// describes them. Values go through JSON on the way in and out, as they do through L2, so a record that
// is not JSON-serializable or that a caller mutates after writing shows up in tests.
import { StoreConflictError, type TransactionStore, type Versioned, type WriteOptions } from '../../src/store/store.js';

export class MemoryStore<T extends object> implements TransactionStore<T> {
  private readonly records = new Map<string, { json: string; version: number }>();
  private readonly index = new Map<string, string>();
  /** Writes performed (create + update), for tests that check a step does not write. */
  writes = 0;
  /** Reads performed (get + getByAcsTransID): with writes, the store round trips of a step. */
  reads = 0;

  async create(id: string, value: T, opts?: WriteOptions): Promise<Versioned<T>> {
    if (this.records.has(id)) throw new StoreConflictError(id);
    return this.put(id, value, 1, opts);
  }

  async get(id: string): Promise<Versioned<T> | null> {
    this.reads++;
    const e = this.records.get(id);
    return e ? { value: JSON.parse(e.json) as T, version: e.version } : null;
  }

  async update(id: string, expectedVersion: number, value: T, opts?: WriteOptions): Promise<Versioned<T>> {
    const e = this.records.get(id);
    if (!e || e.version !== expectedVersion) throw new StoreConflictError(id);
    return this.put(id, value, e.version + 1, opts);
  }

  async getByAcsTransID(acsTransID: string): Promise<Versioned<T> | null> {
    const id = this.index.get(acsTransID);
    if (!id) {
      this.reads++;
      return null;
    }
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    this.records.delete(id);
  }

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.records.clear();
  }

  private put(id: string, value: T, version: number, opts?: WriteOptions): Versioned<T> {
    const json = JSON.stringify(value);
    this.records.set(id, { json, version });
    if (opts?.acsTransID) this.index.set(opts.acsTransID, id);
    this.writes++;
    return { value: JSON.parse(json) as T, version };
  }
}
