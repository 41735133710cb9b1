import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ReferencesConfigurationError } from '../errors/references.errors.js';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import type { ReferenceOutboxEntry } from '../outbox/reference-outbox.entity.js';
import { ReferenceOutbox } from '../outbox/reference-outbox.service.js';
import { REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import { TransactionHooks } from '../transaction/transaction-hooks.service.js';
import { DATA_SOURCE_LABEL, metricSetFor, type ReferencesMetricSet, type StatusSource } from './references-metric-set.util.js';
import type { ReferencesMetricsOptions } from './references-metrics-options.interface.js';

/**
 * Prometheus metrics of one data source, when `ReferencesModule.forRoot({ metrics })` asks for them: the outbox
 * gauges (`references_outbox_pending`, `_running`, `_failed`, `_stalled`, `_oldest_pending_seconds`, read
 * from the outbox at each scrape), the histogram `references_propagation_duration_seconds` (one sample per
 * change that reached every copy) and the counter `references_referrers_updated_total`, all labelled
 * `data_source`. prom-client is loaded only then: an app without metrics needs neither it nor its cost.
 *
 * The histogram's sample, per mode: in queue mode, from the creation of the change's outbox row (in the
 * writer's transaction, so at its commit) until its last run, or its last slice, is done with no referrer
 * left failed; in sync mode the copies are written inside the writer's transaction and hold the change
 * at its commit, so the sample is the time from the start of the fan-out to that commit: what propagation
 * added to the write. Changes without referrers (nothing to propagate), and changes that a newer change of
 * the same target overtook in the queue (it carries them), take no sample of their own.
 */
@Injectable()
export class ReferencesMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ReferencesMetrics');
  private readonly options?: ReferencesMetricsOptions;
  private readonly labels: Record<string, string>;
  private readonly source: StatusSource;
  private metrics?: ReferencesMetricSet;
  /** Per transaction, referrers recorded as updated so far: sync mode samples the changes that updated some. */
  private readonly updatedIn = new WeakMap<object, number>();

  constructor(
    @Inject(REFERENCES_MODULE_OPTIONS) options: ReferencesModuleOptions,
    private readonly outbox: ReferenceOutbox,
    private readonly hooks: TransactionHooks,
  ) {
    this.options = options.metrics === true ? {} : options.metrics || undefined;
    const dataSource = options.dataSource ?? 'default';
    this.labels = { [DATA_SOURCE_LABEL]: dataSource };
    this.source = { dataSource, status: () => this.outbox.status() };
  }

  /** Whether this data source reports metrics (`metrics` set in the module options). */
  get enabled(): boolean {
    return this.options !== undefined;
  }

  async onModuleInit(): Promise<void> {
    if (!this.options) return;
    const buckets = this.options.buckets;
    if (buckets !== undefined && !(buckets.length > 0 && buckets.every((bound, i) => Number.isFinite(bound) && bound > 0 && (i === 0 || bound > buckets[i - 1])))) {
      throw new ReferencesConfigurationError(`ReferencesModule: metrics.buckets must be increasing positive numbers of seconds, got [${buckets.join(', ')}]`);
    }
    const prom = await import('prom-client').catch(() => undefined);
    if (!prom) {
      throw new ReferencesConfigurationError('ReferencesModule: metrics need prom-client; install it (npm i prom-client) or leave metrics out');
    }
    this.metrics = metricSetFor(prom, this.options);
    this.metrics.add(this.source);
  }

  onModuleDestroy(): void {
    this.metrics?.remove(this.source);
  }

  /** Counts referrers whose update has committed. */
  referrersUpdated(count: number): void {
    this.metrics?.referrersUpdated.inc(this.labels, count);
  }

  /**
   * Counts `count` referrers once the transaction of `manager` commits, for updates nobody is told of (no
   * listener, no indexer): the notifier then keeps no ids, and this keeps only a number.
   */
  async referrersUpdatedAtCommit(manager: EntityManager, count: number): Promise<void> {
    if (!this.metrics) return;
    await this.hooks.afterCommit(manager, this.countCommitted, count);
  }

  private readonly countCommitted = (counts: number[]): void => {
    this.referrersUpdated(counts.reduce((sum, count) => sum + count, 0));
  };

  /** Notes, in the writer's transaction, that propagation recorded `count` updated referrers there. */
  recorded(manager: EntityManager, count: number): void {
    if (!this.metrics) return;
    const key = manager.queryRunner ?? manager;
    this.updatedIn.set(key, (this.updatedIn.get(key) ?? 0) + count);
  }

  /** Sync mode: runs one change's fan-out in the writer's transaction, and samples it at the commit if it updated referrers. */
  async timed<T>(manager: EntityManager, fanOut: () => Promise<T>): Promise<T> {
    if (!this.metrics) return fanOut();
    const key = manager.queryRunner ?? manager;
    const before = this.updatedIn.get(key) ?? 0;
    const started = performance.now();
    const result = await fanOut();
    if ((this.updatedIn.get(key) ?? 0) > before) await this.hooks.afterCommit(manager, this.committed, started);
    return result;
  }

  /**
   * Queue mode: a change's outbox row is done and every copy holds the change. A slice's (or a retried
   * referrer's) duration runs from its change's own row. Never throws: the change is done whatever happens here.
   */
  async propagated(row: Pick<ReferenceOutboxEntry, 'version' | 'createdAt'>): Promise<void> {
    if (!this.metrics) return;
    try {
      const change = row.version === null ? row : ((await this.outbox.find(row.version)) ?? row);
      this.observe((Date.now() - change.createdAt.getTime()) / 1000);
    } catch (error) {
      this.logger.warn(`A propagation's duration is not recorded: ${(error as Error).message}`);
    }
  }

  private readonly committed = (starts: number[]): void => {
    const now = performance.now();
    for (const started of starts) this.observe((now - started) / 1000);
  };

  private observe(seconds: number): void {
    // NOTE: the outbox row's time is the database's clock: a clock behind the app's must not give a negative sample.
    this.metrics?.propagationDuration.observe(this.labels, Math.max(0, seconds));
  }
}
