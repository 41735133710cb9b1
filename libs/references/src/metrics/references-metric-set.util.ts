import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReferencesStatus } from '../interfaces/references-reports.interface.js';
import type { ReferencesMetricsOptions } from './references-metrics-options.interface.js';

/** prom-client's module, loaded when metrics are asked for. */
export type PromClient = typeof import('prom-client');

/** Reads the outbox of one data source when the metrics are scraped. */
export type StatusSource = { dataSource: string; status: () => Promise<ReferencesStatus> };

/** The label every metric carries: the TypeORM data source (`default` for the default one). */
export const DATA_SOURCE_LABEL = 'data_source';

/** @default buckets of `references_propagation_duration_seconds`: from 5 ms to 10 minutes (a queue's backlog). */
export const DEFAULT_PROPAGATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** The outbox gauges: each reads one number of `ReferencesStatus`. */
const GAUGES: Array<[name: string, help: string, value: (status: ReferencesStatus) => number]> = [
  ['references_outbox_pending', 'Changes waiting in the outbox for a worker', (s) => s.pending],
  ['references_outbox_running', 'Changes a worker is propagating', (s) => s.running],
  ['references_outbox_failed', 'Changes (or referrers of one) whose propagation failed for good', (s) => s.failed],
  ['references_outbox_blocked', 'Changes whose run met transient errors for longer than queue.maxTransientRetryMs (the sweep takes them up again)', (s) => s.blocked],
  ['references_outbox_stalled', 'Running changes whose worker holds no lease any more', (s) => s.stalled],
  ['references_outbox_oldest_pending_seconds', 'Age of the oldest pending, running or blocked change (0 when none is)', (s) => (s.oldestPendingMs ?? 0) / 1000],
  ['references_reindex_failed', 'Batches of changed referrers the ReferrerIndexer failed on too often, no longer retried', (s) => s.reindexFailed],
];

/**
 * The library's metrics in one registry, shared by every data source (and every app instance of the process)
 * that registers there: prom-client refuses a second metric of the same name in a registry.
 */
export class ReferencesMetricSet {
  readonly referrersUpdated: Counter<string>;
  readonly propagationDuration: Histogram<string>;
  private readonly sources = new Set<StatusSource>();
  /** One read of every outbox per scrape: the gauges are collected together, and share the read in flight. */
  private reading?: Promise<Array<[string, ReferencesStatus]>>;

  constructor(prom: PromClient, registry: Registry, buckets: number[]) {
    const registers = [registry];
    const labelNames = [DATA_SOURCE_LABEL];
    for (const [name, help, value] of GAUGES) {
      const set = this;
      new prom.Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect(this: Gauge<string>) {
          const statuses = await set.read();
          this.reset();
          for (const [dataSource, status] of statuses) this.set({ [DATA_SOURCE_LABEL]: dataSource }, value(status));
        },
      });
    }
    this.referrersUpdated = new prom.Counter({
      name: 'references_referrers_updated_total',
      help: 'Referrers whose copies or links propagation updated (counted once their transaction committed)',
      labelNames,
      registers,
    });
    this.propagationDuration = new prom.Histogram({
      name: 'references_propagation_duration_seconds',
      help: 'From the commit of a change until every copy holds it (sync mode: from the start of the fan-out to the commit of the write)',
      labelNames,
      buckets,
      registers,
    });
  }

  add(source: StatusSource): void {
    this.sources.add(source);
  }

  remove(source: StatusSource): void {
    this.sources.delete(source);
  }

  /** Every outbox's status; an outbox that cannot be read (its database down) has no gauge values this scrape. */
  private read(): Promise<Array<[string, ReferencesStatus]>> {
    this.reading ??= Promise.all(
      [...this.sources].map(async ({ dataSource, status }) => [dataSource, await status().catch(() => undefined)] as const),
    )
      .then((all) => all.filter((entry): entry is [string, ReferencesStatus] => entry[1] !== undefined))
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}

const sets = new WeakMap<object, ReferencesMetricSet>();

/** The metric set of the registry `options` name (prom-client's global one by default), made at its first use. */
export function metricSetFor(prom: PromClient, options: ReferencesMetricsOptions): ReferencesMetricSet {
  const registry = (options.registry ?? prom.register) as Registry;
  let set = sets.get(registry);
  if (!set) sets.set(registry, (set = new ReferencesMetricSet(prom, registry, options.buckets ?? DEFAULT_PROPAGATION_BUCKETS)));
  return set;
}
