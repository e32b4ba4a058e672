// A TransactionStore straight over an L2, without L1: what the tiered store would be with a cache of
// size zero. Used to run the store contract against each backend alone, and by tools that need no cache.
import type { L2 } from './l2.js';
import { serializeRecord } from './record-codec.js';
import { StoreConflictError, type TransactionStore, type Versioned, type WriteOptions } from './store.js';

export class L2Store<T extends object = Record<string, unknown>> implements TransactionStore<T> {
  constructor(
    private readonly l2: L2,
    /** store.ttlSeconds */
    private readonly ttlSeconds: number,
  ) {}

  async create(id: string, value: T, opts?: WriteOptions): Promise<Versioned<T>> {
    const json = serializeRecord(value);
    const r = await this.l2.exec({
      op: 'create',
      id,
      value: json,
      ttlSeconds: this.ttlSeconds,
      ...(opts?.acsTransID !== undefined && { acsTransID: opts.acsTransID }),
    });
    if (r.status !== 'written') throw new StoreConflictError(id);
    return { value: JSON.parse(json) as T, version: r.version };
  }

  async get(id: string): Promise<Versioned<T> | null> {
    const r = await this.l2.exec({ op: 'get', id, ttlSeconds: this.ttlSeconds });
    return r.status === 'found' ? { value: JSON.parse(r.value) as T, version: r.version } : null;
  }

  async update(id: string, expectedVersion: number, value: T, opts?: WriteOptions): Promise<Versioned<T>> {
    const json = serializeRecord(value);
    const r = await this.l2.exec({
      op: 'cas',
      id,
      expectedVersion,
      value: json,
      ttlSeconds: this.ttlSeconds,
      ...(opts?.acsTransID !== undefined && { acsTransID: opts.acsTransID }),
    });
    if (r.status !== 'written') throw new StoreConflictError(id);
    return { value: JSON.parse(json) as T, version: r.version };
  }

  async getByAcsTransID(acsTransID: string): Promise<Versioned<T> | null> {
    const r = await this.l2.exec({ op: 'getByIndex', acsTransID, ttlSeconds: this.ttlSeconds });
    return r.status === 'found' ? { value: JSON.parse(r.value) as T, version: r.version } : null;
  }

  async delete(id: string): Promise<void> {
    await this.l2.exec({ op: 'delete', id });
  }

  isReady(): boolean {
    return this.l2.isReady();
  }

  close(): Promise<void> {
    return this.l2.close();
  }
}
