import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InlineCreateForbiddenError, UnknownReferenceError } from '../errors/references.errors.js';
import { formatPath, setAt, withValuesAt } from '../extraction/json-path.util.js';
import { assertIndexableUuid, referenceOf } from '../extraction/reference-extractor.util.js';
import { occurrences, type ReferenceOccurrence } from '../extraction/reference-schema.util.js';
import { assertStorableJson } from '../extraction/storable-json.util.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { RecordLoader } from '../records/record-loader.service.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import { SqlDialect } from '../sql/sql.dialect.js';
import { ReferenceUrls } from '../urls/reference-urls.service.js';
import { CoalescedCalls } from '../transaction/coalesced-calls.util.js';
import { InlineCopies } from './inline-copies.service.js';

interface LocalTarget {
  occurrence: ReferenceOccurrence;
  reference: string;
  type: ReferenceType;
  id: string;
}

/**
 * Dereference on write: before a record is stored, every local inline reference is replaced by the
 * target's current public representation, so that a client can send `{ links: { self } }` alone and can
 * never store forged content. A local target that does not exist is rejected in strict mode, and always
 * for a `restrict` or `detach` reference (as a foreign key would).
 *
 * The targets are read under a row lock held until the writer commits (see ARCHITECTURE.md,
 * "Concurrency"): a share lock on the targets it copies, so that a change of a target waits for this
 * write (and its fan-out then sees the new referrer) or this write waits for the change (and copies
 * the new content); a key-share lock on the targets it only links, so that their deletion waits.
 */
@Injectable()
export class Dereferencer {
  private readonly strict: boolean;
  private readonly batches = new CoalescedCalls<{ type: ReferenceType; metadata: Record<string, any> }>((manager, records) =>
    this.prepareAll(manager, records),
  );

  constructor(
    private readonly registry: ReferenceTypesRegistry,
    private readonly copies: InlineCopies,
    private readonly loader: RecordLoader,
    private readonly urls: ReferenceUrls,
    @Inject(REFERENCES_MODULE_OPTIONS) options: ReferencesModuleOptions,
    private readonly dialect: SqlDialect,
  ) {
    this.strict = options.strict ?? false;
  }

  /**
   * Validates `metadata` and replaces its local inline copies, in place. Throws on bad input before any write.
   * The records of one `save()` are prepared together (`CoalescedCalls`): their targets are read, and locked,
   * with one statement per target type for all of them.
   */
  prepare(manager: EntityManager, type: ReferenceType, metadata: Record<string, any>): Promise<void> {
    return this.batches.call(manager, { type, metadata });
  }

  /** Prepares the records of one save: each one's references, then every target read at once, then the copies. */
  private async prepareAll(manager: EntityManager, records: Array<{ type: ReferenceType; metadata: Record<string, any> }>): Promise<unknown[]> {
    const locals: LocalTarget[][] = [];
    for (const { type, metadata } of records) {
      try {
        locals.push(await this.localTargets(manager, type, metadata));
      } catch (error) {
        // NOTE: the save fails with this error (the first one, in the order of its records); nothing is read for the others.
        return records.map(() => error);
      }
    }
    const found = await this.load(manager, locals.flat());
    const errors: unknown[] = [];
    // NOTE: the records of one save mostly copy the same few targets: each target's representation is made
    // once (every copy is still a document of its own: `InlineCopies.build` copies what it is given).
    const representations = new Map<object, Record<string, any>>();
    records.forEach(({ metadata }, i) => {
      try {
        this.copyInto(manager, metadata, locals[i], found, representations);
      } catch (error) {
        errors[i] = error;
      }
    });
    return errors;
  }

  /** Checks the references of one record and answers its local targets, each reference in its canonical spelling. */
  private async localTargets(manager: EntityManager, type: ReferenceType, metadata: Record<string, any>): Promise<LocalTarget[]> {
    // First, and without recursion: what follows walks the document recursively.
    assertStorableJson(metadata, this.dialect.maxJsonDepth);
    const locals: LocalTarget[] = [];
    for (let occurrence of occurrences(type.schema, metadata)) {
      if (occurrence.field.kind === 'inline' && occurrence.field.create && isWithoutLink(occurrence)) {
        occurrence = await this.create(manager, occurrence, metadata);
      }
      const path = formatPath(occurrence.segments);
      const written = referenceOf(occurrence);
      const { reference, local: ours } = this.urls.identify(written, path);
      if (reference !== written) this.rewrite(metadata, occurrence, reference);
      const local = ours ? this.registry.resolve(reference) : undefined;
      if (local) locals.push({ occurrence, reference, ...local });
      else if (ours && (this.strict || occurrence.field.onDelete !== 'keep')) {
        // NOTE: it names one of our types but no record's URL (a path under a record, an id the table cannot hold).
        throw new UnknownReferenceError(reference, path);
      } else assertIndexableUuid(occurrence);
    }
    return locals;
  }

  /** Replaces the local inline references of one record by copies of the targets read. */
  private copyInto(
    manager: EntityManager,
    metadata: Record<string, any>,
    locals: LocalTarget[],
    found: Map<ReferenceType, Map<string, object>>,
    representations: Map<object, Record<string, any>>,
  ): void {
    for (const target of locals) {
      const record = found.get(target.type)?.get(target.id);
      if (!record) {
        if (this.mustExist(target)) throw new UnknownReferenceError(target.reference, formatPath(target.occurrence.segments));
        // NOTE: nothing to copy from, so the value sent is kept; but never with a key its type withholds.
        const sent = target.occurrence.value;
        if (target.occurrence.field.kind === 'inline' && sent !== null && typeof sent === 'object' && !Array.isArray(sent)) {
          const kept = this.copies.withoutWithheld(sent as Record<string, any>, target.type);
          if (kept !== sent) setAt(metadata, target.occurrence.segments, kept);
        }
        continue;
      }
      if (target.occurrence.field.kind !== 'inline') continue;
      let representation = representations.get(record);
      if (!representation) representations.set(record, (representation = target.type.representationOf(record)));
      const copy = this.copies.build(representation, target.type, target.occurrence.field, {
        reference: target.reference,
        manager,
      });
      setAt(metadata, target.occurrence.segments, copy);
    }
  }

  /** Stores the canonical spelling of a local reference where the client wrote another one. */
  private rewrite(metadata: Record<string, any>, occurrence: ReferenceOccurrence, reference: string): void {
    const { field, segments, value } = occurrence;
    if (field.kind === 'link') setAt(metadata, segments, reference);
    else if (field.urlPath) setAt(metadata, segments, withValuesAt(value as Record<string, any>, [[[...field.urlPath], reference]]));
  }

  /**
   * Loads and locks the targets that are copied or must exist: one query per type, types in name order
   * and ids in id order, so that two writers lock the same targets in the same order.
   */
  private async load(manager: EntityManager, targets: LocalTarget[]): Promise<Map<ReferenceType, Map<string, object>>> {
    const byType = new Map<ReferenceType, { ids: Set<string>; copied: boolean }>();
    for (const t of targets) {
      const copied = t.occurrence.field.kind === 'inline';
      if (!copied && !this.mustExist(t)) continue;
      const wanted = byType.get(t.type) ?? byType.set(t.type, { ids: new Set(), copied: false }).get(t.type)!;
      wanted.ids.add(t.id);
      wanted.copied ||= copied;
    }
    const found = new Map<ReferenceType, Map<string, object>>();
    for (const [type, { ids, copied }] of [...byType].sort(([a], [b]) => (a.name < b.name ? -1 : 1))) {
      const records = await this.loader.loadMany(manager, type, [...ids].sort(), { lock: copied ? 'share' : 'key-share', by: 'key' });
      found.set(type, new Map(records.map((r) => [type.keyOf(r), r])));
    }
    return found;
  }

  /** Whether a local target must exist: in strict mode always, otherwise for the references a foreign key would hold. */
  private mustExist(target: LocalTarget): boolean {
    return this.strict || target.occurrence.field.onDelete !== 'keep';
  }

  /** `@InlineReference({ create })`: creates the target from the value the client sent. */
  private async create(
    manager: EntityManager,
    occurrence: ReferenceOccurrence,
    metadata: Record<string, any>,
  ): Promise<ReferenceOccurrence> {
    const create = occurrence.field.create!;
    const value = occurrence.value as Record<string, unknown>;
    const path = formatPath(occurrence.segments);
    if (create.authorize && !(await create.authorize(value, { manager }))) throw new InlineCreateForbiddenError(path);
    const targetType = this.registry.forEntity(create.target());
    if (!targetType) throw new UnknownReferenceError(`(a new ${create.target().name})`, path);
    const record = manager.create(targetType.entity as any, {
      [targetType.metadataProperty]: create.build ? create.build(value) : value,
    });
    const saved = (await manager.save(record)) as object;
    const replaced = { ...occurrence, value: targetType.representationOf(saved) };
    setAt(metadata, occurrence.segments, replaced.value);
    return replaced;
  }
}

function isWithoutLink(occurrence: ReferenceOccurrence): boolean {
  const value = occurrence.value;
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !occurrence.field.url(value as any);
}
