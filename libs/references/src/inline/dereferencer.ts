import type { EntityManager } from 'typeorm';
import { InlineCreateForbiddenError, UnknownReferenceError } from '../errors/references.errors.js';
import { formatPath, setAt } from '../extraction/json-path.js';
import { assertNoForbiddenKeys, referenceOf } from '../extraction/reference-extractor.js';
import { occurrences, type ReferenceOccurrence } from '../extraction/reference-schema.js';
import type { ReferenceType } from '../registry/reference-type.js';
import type { RecordLoader } from '../records/record-loader.js';
import type { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import type { InlineCopies } from './inline-copies.js';

interface LocalTarget {
  occurrence: ReferenceOccurrence;
  reference: string;
  type: ReferenceType;
  id: string;
}

/**
 * Dereference on write: before a record is stored, every local inline reference is replaced by the
 * target's current public representation, so that a client can send `{ links: { self } }` alone and can
 * never store forged content. In strict mode a local target that does not exist is rejected.
 */
export class Dereferencer {
  constructor(
    private readonly registry: ReferenceTypesRegistry,
    private readonly copies: InlineCopies,
    private readonly loader: RecordLoader,
    private readonly strict: boolean,
  ) {}

  /** Validates `metadata` and replaces its local inline copies, in place. Throws on bad input before any write. */
  async prepare(manager: EntityManager, type: ReferenceType, metadata: Record<string, any>): Promise<void> {
    assertNoForbiddenKeys(metadata);
    const locals: LocalTarget[] = [];
    for (let occurrence of occurrences(type.schema, metadata)) {
      if (occurrence.field.kind === 'inline' && occurrence.field.create && isWithoutLink(occurrence)) {
        occurrence = await this.create(manager, occurrence, metadata);
      }
      const reference = referenceOf(occurrence);
      const local = this.registry.resolve(reference);
      if (local) locals.push({ occurrence, reference, ...local });
    }
    const found = await this.load(manager, locals);
    for (const target of locals) {
      const record = found.get(target.type)?.get(target.id);
      if (!record) {
        if (this.strict) throw new UnknownReferenceError(target.reference, formatPath(target.occurrence.segments));
        continue;
      }
      if (target.occurrence.field.kind !== 'inline') continue;
      const copy = this.copies.build(target.type.representationOf(record), target.type, target.occurrence.field, {
        reference: target.reference,
        manager,
      });
      setAt(metadata, target.occurrence.segments, copy);
    }
  }

  /** Loads the targets with one query per type. */
  private async load(manager: EntityManager, targets: LocalTarget[]): Promise<Map<ReferenceType, Map<string, object>>> {
    const byType = new Map<ReferenceType, Set<string>>();
    for (const t of targets) {
      if (t.occurrence.field.kind === 'inline' || this.strict) {
        (byType.get(t.type) ?? byType.set(t.type, new Set()).get(t.type)!).add(t.id);
      }
    }
    const found = new Map<ReferenceType, Map<string, object>>();
    for (const [type, ids] of byType) {
      const records = await this.loader.loadMany(manager, type, [...ids]);
      found.set(type, new Map(records.map((r) => [type.idOf(r), r])));
    }
    return found;
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
