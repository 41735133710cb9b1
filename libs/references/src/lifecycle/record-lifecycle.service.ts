import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ReferencedRecordError } from '../errors/references.errors.js';
import { extractReferences } from '../extraction/reference-extractor.util.js';
import { Dereferencer } from '../inline/dereferencer.service.js';
import type { PropagationStrategy } from '../propagation/propagation-strategy.interface.js';
import { PROPAGATION_STRATEGY } from '../references.constants.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { ReferenceIndex, toReferenceRow, type IndexedRecord } from '../reverse-index/reference-index.service.js';
import { SqlDialect } from '../sql/sql.dialect.js';
import { CoalescedCalls } from '../transaction/coalesced-calls.util.js';

/** Restricting referrers named in a `ReferencedRecordError`. */
const RESTRICTING_SHOWN = 100;

/**
 * What happens to a reference-enabled record when it is written or removed, in the writer's transaction.
 * The subscriber calls it from TypeORM's events; where the propagation runs is the `PROPAGATION_STRATEGY`'s business.
 */
@Injectable()
export class RecordLifecycle {
  private readonly inserts = new CoalescedCalls<IndexedRecord>((manager, records) => this.index.insert(manager, records));
  private readonly replacements = new CoalescedCalls<IndexedRecord>((manager, records) => this.index.replaceMany(manager, records));

  constructor(
    private readonly dereferencer: Dereferencer,
    private readonly index: ReferenceIndex,
    private readonly dialect: SqlDialect,
    @Inject(PROPAGATION_STRATEGY) private readonly propagation: PropagationStrategy,
  ) {}

  /** Before insert and update: validate and dereference the metadata (throws before anything is written). */
  async beforeWrite(manager: EntityManager, type: ReferenceType, record: object): Promise<void> {
    await this.dereferencer.prepare(manager, type, type.metadataOf(record));
  }

  /** After insert: the record's index rows; those of every record of one `save()` with one statement. */
  afterInsert(manager: EntityManager, type: ReferenceType, record: object): Promise<void> {
    const specs = extractReferences(type.schema, type.metadataOf(record));
    return this.inserts.call(manager, { referrerType: type.name, referrerId: type.idOf(record), specs });
  }

  /** After update: the record's index rows (those of every record of one `save()` together), then its referrers. */
  async afterUpdate(manager: EntityManager, type: ReferenceType, record: object): Promise<void> {
    const specs = extractReferences(type.schema, type.metadataOf(record));
    await this.replacements.call(manager, { referrerType: type.name, referrerId: type.idOf(record), specs });
    const target = { reference: type.canonicalUrl(record), representation: type.representationOf(record), type };
    await this.propagation.contentChanged(manager, target, false);
  }

  /** After an update that changed the key in the record's URL: every reference to the old URL moves to the new one. */
  async afterMove(manager: EntityManager, oldUrl: string, newUrl: string): Promise<void> {
    await this.propagation.referenceChanged(manager, oldUrl, newUrl, false);
  }

  /**
   * Before delete (and soft delete): the record is locked first, so that every reference to it either
   * committed before (and is seen here) or waits and then finds it gone; then `restrict` is checked and
   * `detach` applied, in the delete's own transaction.
   */
  async beforeRemove(manager: EntityManager, type: ReferenceType, record: object): Promise<void> {
    await this.dialect.lockForDelete(manager, type, type.idOf(record));
    const reference = type.canonicalUrl(record);
    const restricting = await this.index.batchAfter(manager, reference, 0, RESTRICTING_SHOWN, { onDelete: 'restrict' });
    if (restricting.length) throw new ReferencedRecordError(reference, restricting.map(toReferenceRow));
    await this.propagation.targetDeleted(manager, reference, false);
  }

  async afterRemove(manager: EntityManager, type: ReferenceType, id: string): Promise<void> {
    await this.index.removeReferrer(manager, type.name, [id]);
  }
}
