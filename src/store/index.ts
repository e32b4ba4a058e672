// The store stage's public surface: what workers, the primary and the protocol import.
export { type CreateStoreOptions, createStore } from './create-store.js';
export { type EmbeddedHost, type EmbeddedHostOptions, createEmbeddedHost } from './embedded-host.js';
export { type TransactionStore, type Versioned, type WriteOptions, StoreConflictError, StoreUnavailableError, mutate } from './store.js';
