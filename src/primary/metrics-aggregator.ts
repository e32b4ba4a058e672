// GET /metrics across the cluster: the primary asks each listening worker for its registry as JSON over
// IPC and merges them with prom-client's aggregation rules (each series' `aggregator`), plus the
// primary's own series. Workers that do not answer in time are left out of that scrape rather than
// failing it (a rolling restart must not break scraping).
import type { Worker } from 'node:cluster';
import client from 'prom-client';
import type { PrimaryToWorker } from '../ipc.js';
import type { Metrics } from '../metrics.js';

const WORKER_TIMEOUT_MS = 2000;

export class MetricsAggregator {
  private nextId = 1;
  private readonly pending = new Map<number, (metrics: unknown[]) => void>();

  constructor(
    private readonly own: Metrics,
    private readonly send: (w: Worker, msg: PrimaryToWorker) => void,
  ) {}

  /** Feed worker replies here. */
  receive(id: number, metrics: unknown[]): void {
    this.pending.get(id)?.(metrics);
  }

  async scrape(workers: Worker[]): Promise<{ contentType: string; body: string }> {
    const parts = await Promise.all(workers.map((w) => this.ask(w)));
    const all = parts.filter((p): p is unknown[] => p !== null);
    all.push(await this.own.registry.getMetricsAsJSON());
    const merged = client.AggregatorRegistry.aggregate(all as client.MetricObjectWithValues<client.MetricValue<string>>[][]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  private ask(w: Worker): Promise<unknown[] | null> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(null);
      }, WORKER_TIMEOUT_MS);
      timer.unref();
      this.pending.set(id, (m) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(m);
      });
      this.send(w, { type: 'm3ds:metrics-req', id });
    });
  }
}
