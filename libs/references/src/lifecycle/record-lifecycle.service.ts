import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ReferencedRecordError } from '../errors/references.errors.js';
import { extractReferences, type ReferenceSpec } from '../extraction/reference-extractor.util.js';
import { Dereferencer } from '../inline/dereferencer.service.js';
import { InlineCopies } from '../inline/inline-copies.service.js';
import type { PropagationStrategy, TargetState } from '../propagation/propagation-strategy.interface.js';
import { RecordLoader } from '../records/record-loader.service.js';
import { PROPAGATION_STRATEGY } from '../references.constants.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { ReferencePlaces, type TypePlaces } from '../reverse-index/reference-places.service.js';
import { ReferenceIndex, referenceKey, toReferenceRow, type IndexedRecord } from '../reverse-index/reference-index.service.js';
import { SqlDialect } from '../sql/sql.dialect.js';
import { CoalescedCalls } from '../transaction/coalesced-calls.util.js';

/** What an update replaces: the committed row (if it was there) and the places of references to its type. */
interface Prior {
  record?: object;
  /** `undefined`: not known (every field is refreshed, the link referrers walked). */
  places?: TypePlaces;
}

interface PriorRead {
  type: ReferenceType;
  /** The entity being saved: `afterUpdate` finds its prior by it. */
  record: object;
  id: string;
}

/** Whether two records' references would give the same index rows. */
function sameReferences(a: ReferenceSpec[], b: ReferenceSpec[]): boolean {
  const row = (s: ReferenceSpec) => `${referenceKey(s)} ${s.referenceUuid} ${s.field.onDelete}`;
  if (a.length !== b.length) return false;
  const rows = new Set(a.map(row));
  return b.every((s) => rows.has(row(s)));
}

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

  /** Per record being updated (the entity TypeORM saves): what the update replaces, read by `beforeWrite`. */
  private readonly priors = new WeakMap<object, Prior>();
  private readonly priorReads = new CoalescedCalls<PriorRead>((manager, reads) => this.readPriors(manager, reads));

  constructor(
    private readonly dereferencer: Dereferencer,
    private readonly index: ReferenceIndex,
    private readonly dialect: SqlDialect,
    @Inject(PROPAGATION_STRATEGY) private readonly propagation: PropagationStrategy,
    private readonly loader: RecordLoader,
    private readonly places: ReferencePlaces,
    private readonly copies: InlineCopies,
  ) {}

  /**
   * Before insert and update: validate and dereference the metadata (throws before anything is written).
   * Before an update (`stored`: what TypeORM loaded), the record's committed row is read under its update
   * lock, with the places of references to its type: `afterUpdate` compares against it.
   */
  async beforeWrite(manager: EntityManager, type: ReferenceType, record: object, stored?: object): Promise<void> {
    await this.dereferencer.prepare(manager, type, type.metadataOf(record));
    if (stored) await this.priorReads.call(manager, { type, record, id: type.idOf(stored) });
  }

  /** After insert: the record's index rows; those of every record of one `save()` with one statement. */
  afterInsert(manager: EntityManager, type: ReferenceType, record: object): Promise<void> {
    const specs = extractReferences(type.schema, type.metadataOf(record));
    return this.inserts.call(manager, { referrerType: type.name, referrerId: type.idOf(record), specs });
  }

  /**
   * After update: the record's index rows (those of every record of one `save()` together) unless its
   * references are those of the row it replaced, then its referrers, in the fields whose copy the update
   * changed (`entity`: the object `beforeWrite` was given).
   */
  async afterUpdate(manager: EntityManager, type: ReferenceType, record: object, entity: object = record): Promise<void> {
    const prior = this.priors.get(entity);
    this.priors.delete(entity);
    const specs = extractReferences(type.schema, type.metadataOf(record));
    if (!prior?.record || !sameReferences(specs, extractReferences(type.schema, type.metadataOf(prior.record)))) {
      await this.replacements.call(manager, { referrerType: type.name, referrerId: type.idOf(record), specs });
    }
    const target: TargetState = { reference: type.canonicalUrl(record), representation: type.representationOf(record), type };
    if (prior?.places) {
      target.fields = prior.record
        ? this.copies.changed(type.representationOf(prior.record), target.representation, type, prior.places.inline, { reference: target.reference, manager })
        : prior.places.inline;
      target.linkReferrers = prior.places.links.size > 0;
    }
    await this.propagation.contentChanged(manager, target, false);
  }

  /**
   * The rows the updates replace, one statement per type, under their update lock: the committed content
   * (what `databaseEntity` holds was read before the transaction, and another writer may have committed
   * since), which nothing else changes until this transaction ends. The places of references to the type
   * are read after it, so they include every referrer that copied the committed content.
   */
  private async readPriors(manager: EntityManager, reads: PriorRead[]): Promise<void> {
    const byType = new Map<ReferenceType, PriorRead[]>();
    for (const read of reads) (byType.get(read.type) ?? byType.set(read.type, []).get(read.type)!).push(read);
    for (const [type, list] of byType) {
      const records = await this.loader.loadMany(manager, type, [...new Set(list.map((r) => r.id))], { lock: 'update' });
      const byId = new Map(records.map((record) => [type.idOf(record), record]));
      const places = await this.places.of(manager, type);
      for (const read of list) this.priors.set(read.record, { record: byId.get(read.id), places });
    }
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
