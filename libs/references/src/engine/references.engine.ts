import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { extractReferences } from '../extraction/reference-extractor.js';
import { ReferenceIndex } from '../reverse-index/reference-index.js';
import { Dereferencer } from '../inline/dereferencer.js';
import { InlineCopies } from '../inline/inline-copies.js';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import type { ReferrerIndexer } from '../interfaces/referrer-indexer.interface.js';
import type { PropagationStrategy } from '../propagation/propagation-strategy.js';
import { Propagator } from '../propagation/propagator.js';
import { ReferrersNotifier } from '../propagation/referrers-notifier.js';
import type { ReferenceType } from '../registry/reference-type.js';
import { RecordLoader } from '../records/record-loader.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_SYNC_BATCH_SIZE,
  REFERENCES_DATA_SOURCE,
  REFERENCES_MODULE_OPTIONS,
  REFERRER_INDEXER,
} from '../references.constants.js';
import { dialectFor } from '../sql/dialect.factory.js';
import type { SqlDialect } from '../sql/sql-dialect.js';

/**
 * The parts of the library wired together, and what happens to a reference-enabled record when it is
 * written or removed. The TypeORM subscriber and `ReferencesService` both work through it.
 */
@Injectable()
export class ReferencesEngine implements OnModuleInit {
  readonly dialect: SqlDialect;
  readonly index: ReferenceIndex;
  readonly copies: InlineCopies;
  readonly dereferencer: Dereferencer;
  readonly loader: RecordLoader;
  readonly notifier = new ReferrersNotifier();
  readonly propagator: Propagator;
  /** Sync by default; the queue module replaces it with the outbox in queue mode. */
  strategy: PropagationStrategy;
  /** Called after each commit of a transaction (queue mode dispatches the outbox rows it wrote). */
  afterCommit: (runner: QueryRunner | undefined) => void = () => {};
  /** Called after each rollback of a transaction. */
  afterRollback: (runner: QueryRunner | undefined) => void = () => {};

  constructor(
    @Inject(REFERENCES_MODULE_OPTIONS) readonly options: ReferencesModuleOptions,
    @Inject(REFERENCES_DATA_SOURCE) readonly dataSource: DataSource,
    readonly registry: ReferenceTypesRegistry,
    private readonly moduleRef: ModuleRef,
  ) {
    this.dialect = dialectFor(dataSource);
    this.index = new ReferenceIndex(this.dialect);
    this.copies = new InlineCopies(registry);
    this.loader = new RecordLoader(this.dialect, dataSource.options.type === 'postgres');
    this.dereferencer = new Dereferencer(registry, this.copies, this.loader, options.strict ?? false);
    this.propagator = new Propagator(registry, this.index, this.dialect, this.copies, this.loader, this.notifier, this.batchSize);
    this.strategy = this.propagator;
  }

  onModuleInit(): void {
    // NOTE: looked up here rather than injected, so that the app's own modules can provide them.
    this.notifier.connect(this.optional<EventEmitter2>(EventEmitter2), this.optional<ReferrerIndexer>(REFERRER_INDEXER));
  }

  /** Queue mode commits each batch; sync mode runs in one transaction anyway, so its batches are larger. */
  get batchSize(): number {
    return this.options.batchSize ?? (this.options.propagation === 'queue' ? DEFAULT_BATCH_SIZE : DEFAULT_SYNC_BATCH_SIZE);
  }

  /** Before insert and update: validate and dereference the metadata (throws before anything is written). */
  async beforeWrite(manager: EntityManager, type: ReferenceType, record: object): Promise<void> {
    await this.dereferencer.prepare(manager, type, type.metadataOf(record));
  }

  async afterInsert(manager: EntityManager, type: ReferenceType, record: object): Promise<void> {
    const specs = extractReferences(type.schema, type.metadataOf(record));
    await this.index.insert(manager, [{ referrerType: type.name, referrerId: type.idOf(record), specs }]);
  }

  async afterUpdate(manager: EntityManager, type: ReferenceType, record: object): Promise<void> {
    await this.index.replace(manager, type.name, type.idOf(record), extractReferences(type.schema, type.metadataOf(record)));
    const target = { reference: type.canonicalUrl(record), representation: type.representationOf(record), type };
    await this.strategy.contentChanged(manager, target, false);
  }

  /** Before delete: `restrict` is checked in the delete's own transaction, then `detach` is applied. */
  async beforeRemove(manager: EntityManager, type: ReferenceType, record: object): Promise<void> {
    const reference = type.canonicalUrl(record);
    await this.propagator.assertDeletable(manager, reference);
    await this.strategy.targetDeleted(manager, reference, false);
  }

  async afterRemove(manager: EntityManager, type: ReferenceType, id: string): Promise<void> {
    await this.index.removeReferrer(manager, type.name, [id]);
  }

  private optional<T>(token: string | Function): T | undefined {
    try {
      return this.moduleRef.get<T>(token, { strict: false });
    } catch {
      return undefined;
    }
  }
}
