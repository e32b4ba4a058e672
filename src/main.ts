// Mock 3DS Server: composition root.
//
//   primary ── config (convict, validated once) ── embedded L2 store ── metrics aggregation ── signals
//     ├─ worker 1 ── HTTP pipeline ── protocol ── L1 (lru-cache) ─┬─ L2: primary over IPC, or Redis
//     │                                          └─ crypto pool (Piscina threads)
//     └─ worker N  (one per core; same shape)
//
// The stages are imported dynamically, after the primary has started recording signals: loading them
// takes a few hundred milliseconds, and a SIGTERM or SIGHUP in that window would otherwise end the
// process by the signal's default action instead of a clean exit 0.
import cluster from 'node:cluster';

if (cluster.isPrimary) {
  const early: { stop?: NodeJS.Signals; release(): void } = { release: () => {} };
  const onStop = (signal: NodeJS.Signals) => {
    early.stop ??= signal;
  };
  // Nothing is running yet, so a reload request has nothing to reload: the config is read after this.
  const onHup = () => {};
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', onHup);
  early.release = () => {
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    process.off('SIGHUP', onHup);
  };
  const { runPrimary } = await import('./primary/primary.js');
  await runPrimary(early);
} else {
  const { runWorker } = await import('./worker/worker.js');
  await runWorker();
}
