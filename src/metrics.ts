// Every Prometheus series the server exposes (SPEC §10), declared in one place so README's metrics table
// can be generated from it. Each process builds its own Metrics; the primary aggregates the workers'
// registries (prom-client AggregatorRegistry) for GET /metrics. Labels never carry IDs or card numbers.
import client from 'prom-client';

export interface MetricDecl {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  labels: readonly string[];
  /** How the primary combines the workers' values. */
  aggregator?: 'sum' | 'max' | 'min' | 'average' | 'first' | 'omit';
  buckets?: number[];
  /** Series the primary owns (not per worker). */
  primary?: boolean;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1];

export const METRIC_DECLS = [
  {
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code.',
    type: 'histogram',
    labels: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS,
  },
  {
    name: 'http_requests_total',
    help: 'HTTP requests by method, route template and status code.',
    type: 'counter',
    labels: ['method', 'route', 'status_code'],
  },
  {
    name: 'threeds_transactions_total',
    help: '3DS transactions by flow and outcome status.',
    type: 'counter',
    labels: ['flow', 'trans_status'],
  },
  { name: 'store_l1_hits_total', help: 'L1 (in-process cache) hits.', type: 'counter', labels: [] },
  { name: 'store_l1_misses_total', help: 'L1 (in-process cache) misses.', type: 'counter', labels: [] },
  { name: 'store_l1_entries', help: 'Records held in L1.', type: 'gauge', labels: [], aggregator: 'sum' },
  {
    name: 'store_l2_operation_duration_seconds',
    help: 'L2 store operation duration by backend and operation.',
    type: 'histogram',
    labels: ['backend', 'operation'],
    buckets: STORE_BUCKETS,
  },
  {
    name: 'store_l2_errors_total',
    help: 'L2 store operation errors by backend and operation.',
    type: 'counter',
    labels: ['backend', 'operation'],
  },
  {
    name: 'store_breaker_state',
    help: 'L2 circuit breaker state per worker: 0 closed, 1 half-open, 2 open (max over workers).',
    type: 'gauge',
    labels: [],
    aggregator: 'max',
  },
  { name: 'store_embedded_entries', help: 'Records held by the embedded store in the primary.', type: 'gauge', labels: [], primary: true },
  { name: 'pool_queue_size', help: 'Tasks waiting in the crypto pool.', type: 'gauge', labels: [], aggregator: 'sum' },
  {
    name: 'pool_task_duration_seconds',
    help: 'Crypto pool task duration by task.',
    type: 'histogram',
    labels: ['task'],
    buckets: STORE_BUCKETS,
  },
  { name: 'results_push_total', help: 'Results pushes to merchants by outcome.', type: 'counter', labels: ['outcome'] },
  { name: 'rate_limited_total', help: 'Requests refused by the rate limiter.', type: 'counter', labels: [] },
  { name: 'workers_alive', help: 'Worker processes serving.', type: 'gauge', labels: [], primary: true },
  { name: 'worker_restarts_total', help: 'Worker processes replaced after an unplanned exit.', type: 'counter', labels: [], primary: true },
  {
    name: 'worker_crash_loop',
    help: '1 while workers exit faster than the crash-loop threshold.',
    type: 'gauge',
    labels: [],
    primary: true,
  },
  {
    name: 'config_last_reload_successful',
    help: '1 if the last configuration reload succeeded, else 0.',
    type: 'gauge',
    labels: [],
    primary: true,
  },
  {
    name: 'config_last_reload_success_timestamp_seconds',
    help: 'Unix time of the last successful configuration load.',
    type: 'gauge',
    labels: [],
    primary: true,
  },
] as const satisfies readonly MetricDecl[];

type Decl = (typeof METRIC_DECLS)[number];
type NameOf<T extends Decl['type']> = Extract<Decl, { type: T }>['name'];
type LabelsOf<N extends Decl['name']> = Extract<Decl, { name: N }>['labels'][number];

export interface Metrics {
  registry: client.Registry;
  counter<N extends NameOf<'counter'>>(name: N): client.Counter<LabelsOf<N>>;
  gauge<N extends NameOf<'gauge'>>(name: N): client.Gauge<LabelsOf<N>>;
  histogram<N extends NameOf<'histogram'>>(name: N): client.Histogram<LabelsOf<N>>;
}

/**
 * Builds the registry of one process. Workers get the per-worker series and the default process metrics;
 * the primary gets the series marked `primary`.
 */
export function createMetrics(role: 'worker' | 'primary', opts: { defaults?: boolean } = {}): Metrics {
  const registry = new client.Registry();
  const byName = new Map<string, client.Metric>();
  for (const d of METRIC_DECLS as readonly MetricDecl[]) {
    if (Boolean(d.primary) !== (role === 'primary')) continue;
    const common = { name: d.name, help: d.help, labelNames: [...d.labels], registers: [registry] };
    const aggregator = d.aggregator ?? 'sum';
    let m: client.Metric;
    if (d.type === 'counter') m = new client.Counter({ ...common, aggregator });
    else if (d.type === 'gauge') m = new client.Gauge({ ...common, aggregator });
    else m = new client.Histogram({ ...common, buckets: d.buckets ?? LATENCY_BUCKETS, aggregator });
    byName.set(d.name, m);
  }
  if (role === 'worker' && opts.defaults !== false) client.collectDefaultMetrics({ register: registry });
  const get = (name: string) => {
    const m = byName.get(name);
    if (!m) throw new Error(`metric ${name} is not registered in the ${role}`);
    return m;
  };
  return {
    registry,
    counter: (n) => get(n) as never,
    gauge: (n) => get(n) as never,
    histogram: (n) => get(n) as never,
  };
}
