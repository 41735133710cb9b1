import { Injectable } from '@nestjs/common';
import { asJson } from '../extraction/storable-json.util.js';
import { isDeepStrictEqual } from 'node:util';
import type { EntityManager } from 'typeorm';
import { formatPath, parsePath, withValuesAt, type JsonPath } from '../extraction/json-path.util.js';
import { fieldAt, occurrences } from '../extraction/reference-schema.util.js';
import type { ReferenceFieldMetadata } from '../interfaces/reference-options.interface.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { splitFieldKey, type FieldKey } from '../reverse-index/reference-places.service.js';

/**
 * Builds the inline copy a referrer field stores of a target, from the target's representation (what any
 * copy of it may hold, `ReferenceType.representationOf`, built once per target and change): the depth rule,
 * then the field's `fields`, then its `postprocess`, each narrowing what the one before left.
 *
 * Depth rule: a copy keeps the nested inline copies of its target in full down to `field.depth` levels
 * (the field itself is level 1); a nested copy below that is reduced to `{ id, links: { self } }`.
 * So with the default depth 2 an artwork's `stylePeriod` holds the term and the term's parent in full,
 * and the grandparent as `{ id, links }`. A cycle A → B → A therefore cannot grow documents, and
 * propagation stops where a refresh changes nothing.
 */
@Injectable()
export class InlineCopies {
  constructor(private readonly registry: ReferenceTypesRegistry) {}

  build(
    representation: Record<string, any>,
    targetType: ReferenceType | undefined,
    field: ReferenceFieldMetadata,
    context: { reference: string; manager: EntityManager },
  ): Record<string, any> {
    let content = targetType ? this.truncate(representation, targetType, Math.max(1, field.depth)) : representation;
    if (field.fields) {
      const keep = new Set([...field.fields, 'id', 'links']);
      content = Object.fromEntries(Object.entries(content).filter(([key]) => keep.has(key)));
    }
    if (!field.postprocess) return content;
    // NOTE: a postprocess narrows, it never widens: a key the target's DTO withholds stays out, whatever it adds.
    const processed = field.postprocess(content, context);
    return targetType ? this.withoutWithheld(processed, targetType) : processed;
  }

  /**
   * The keys of a stored copy of `record` that its representation leaves out while the record holds them, or
   * that its DTO always withholds; and, in the copies nested in it, those their DTOs always withhold (as
   * `path.key`). A copy built by the library holds none: what this finds was stored before a change of the
   * representation, or behind the library's back.
   */
  withheldIn(copy: unknown, type: ReferenceType, record?: object, representation = record && type.representationOf(record)): string[] {
    if (copy === null || typeof copy !== 'object' || Array.isArray(copy)) return [];
    const withheld = new Set(type.withheld);
    if (record && representation) {
      for (const key of Object.keys(type.metadataOf(record))) if (!(key in representation)) withheld.add(key);
    }
    const found = Object.keys(copy).filter((key) => withheld.has(key));
    for (const { field, value, segments } of occurrences(type.schema, copy as Record<string, any>)) {
      if (field.kind !== 'inline' || !segments.length) continue;
      const url = value !== null && typeof value === 'object' ? field.url(value as Record<string, any>) : undefined;
      const nestedType = url ? this.registry.resolve(url)?.type : undefined;
      if (nestedType) found.push(...this.withheldIn(value, nestedType).map((key) => `${formatPath(segments)}.${key}`));
    }
    return found;
  }

  /** A copy sent for a target that cannot be read (a local record that does not exist): without the keys its type always withholds. */
  withoutWithheld(copy: Record<string, any>, type: ReferenceType): Record<string, any> {
    if (!type.withheld.size || !Object.keys(copy).some((key) => type.withheld.has(key))) return copy;
    return Object.fromEntries(Object.entries(copy).filter(([key]) => !type.withheld.has(key)));
  }

  /**
   * Whether `stored` is the copy `build()` makes of the target's representation now: `false` is what
   * `verify()` reports as stale (and the explorer shows as stale).
   */
  isCurrent(
    stored: unknown,
    representation: Record<string, any>,
    targetType: ReferenceType | undefined,
    field: ReferenceFieldMetadata,
    context: { reference: string; manager: EntityManager },
  ): boolean {
    const expected = this.build(representation, targetType, field, context);
    return isDeepStrictEqual(asJson(expected), stored);
  }

  /**
   * The fields among `fields` (copy field keys, `ReferencePlaces`) whose copy of the target differs between two
   * of its representations: what a change replaced, and what it wrote. Each distinct field is built twice
   * at most. A field that is not `comparable` always differs; keys the schemas no longer hold are left out.
   */
  changed(
    before: Record<string, any>,
    after: Record<string, any>,
    targetType: ReferenceType,
    fields: Iterable<FieldKey>,
    context: { reference: string; manager: EntityManager },
  ): Set<FieldKey> {
    const changed = new Set<FieldKey>();
    const differs = new Map<ReferenceFieldMetadata, boolean>();
    for (const key of fields) {
      const { referrerType, path } = splitFieldKey(key);
      const schema = this.registry.forName(referrerType)?.schema;
      const field = schema && fieldAt(schema, parsePath(path));
      if (field?.kind !== 'inline') continue;
      let differ = differs.get(field);
      if (differ === undefined) {
        differ =
          field.comparable === false ||
          !isDeepStrictEqual(asJson(this.build(before, targetType, field, context)), asJson(this.build(after, targetType, field, context)));
        differs.set(field, differ);
      }
      if (differ) changed.add(key);
    }
    return changed;
  }

  private truncate(document: Record<string, any>, type: ReferenceType, levels: number): Record<string, any> {
    const replacements: Array<[JsonPath, Record<string, any>]> = [];
    for (const { field, value, segments } of occurrences(type.schema, document)) {
      // NOTE: a mirror (a record that is itself a copy, at the path '') is copied as it is.
      if (field.kind !== 'inline' || !segments.length || value === null || typeof value !== 'object') continue;
      const nested = value as Record<string, any>;
      const url = field.url(nested);
      if (levels <= 1) {
        replacements.push([segments, { id: field.uuid(nested), links: { self: url } }]);
      } else {
        const nestedType = url ? this.registry.resolve(url)?.type : undefined;
        if (nestedType) replacements.push([segments, this.truncate(nested, nestedType, levels - 1)]);
      }
    }
    // NOTE: a copy of the target's representation, never the representation itself: it is shared by every field.
    return withValuesAt(document, replacements);
  }
}

/** A value as stored: no undefined keys, plain objects (copies compare as JSON values, key order aside). */
