// Mock 3DS Server: composition root.
//
//   primary ── config (convict, validated once) ── embedded L2 store ── metrics aggregation ── signals
//     ├─ worker 1 ── Express pipeline ── protocol ── L1 (lru-cache) ─┬─ L2: primary over IPC, or Redis
//     │                                             └─ crypto pool (Piscina threads)
//     └─ worker N  (one per core; same shape)
import cluster from 'node:cluster';
import { runPrimary } from './primary/primary.js';
import { runWorker } from './worker/worker.js';

await (cluster.isPrimary ? runPrimary() : runWorker());
