import type { Type } from '@nestjs/common';
import {
  ForbiddenKeyError,
  InvalidReferenceUrlError,
  InvalidReferenceUuidError,
  MissingReferenceLinkError,
  ReferencePathTooLongError,
} from '../errors/references.errors.js';
import type { ReferenceFieldMetadata } from '../interfaces/reference-options.interface.js';
import { FORBIDDEN_KEYS, MAX_REFERENCE_PATH_LENGTH, MAX_REFERENCE_UUID_LENGTH } from '../references.constants.js';
import { formatPath, type JsonPath } from './json-path.util.js';
import { occurrences, type ReferenceOccurrence } from './reference-schema.util.js';
import { invalidReferenceUrlReason } from '../urls/reference-url.util.js';

/** One reference found in a record's metadata. */
export interface ReferenceSpec {
  reference: string;
  referenceUuid: string | null;
  inline: boolean;
  /** `formatPath(segments)`, as stored in the index. */
  path: string;
  segments: JsonPath;
  field: ReferenceFieldMetadata;
}

/** Throws `ForbiddenKeyError` when `__proto__`, `constructor` or `prototype` is a key anywhere in `value`. */
export function assertNoForbiddenKeys(value: unknown, path: JsonPath = []): void {
  const found = forbiddenKeyAt(value);
  if (!found) return;
  const key = found[found.length - 1] as string;
  throw new ForbiddenKeyError(formatPath([...path, ...found]) || key, key);
}

/** The path of the first forbidden key in `value`, in document order. NOTE: no path is built on the way: this walks every save. */
function forbiddenKeyAt(value: unknown): JsonPath | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = forbiddenKeyAt(value[i]);
      if (found) return [i, ...found];
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return [key];
    const found = forbiddenKeyAt((value as Record<string, unknown>)[key]);
    if (found) return [key, ...found];
  }
  return undefined;
}

/** The URL an occurrence references; throws when it is missing or malformed. */
export function referenceOf(occurrence: ReferenceOccurrence): string {
  const { field, value, segments } = occurrence;
  const path = formatPath(segments);
  if (path.length > MAX_REFERENCE_PATH_LENGTH) throw new ReferencePathTooLongError(path, MAX_REFERENCE_PATH_LENGTH);
  let url: unknown = value;
  if (field.kind === 'inline') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new MissingReferenceLinkError(path);
    url = field.url(value as Record<string, any>);
    if (url === undefined || url === null) throw new MissingReferenceLinkError(path);
  }
  const reason = invalidReferenceUrlReason(url);
  if (reason) {
    // NOTE: the error names the link itself when the copy's link has a known place (`creators[2].agent.links.self`).
    const at = field.kind === 'inline' && field.urlPath ? formatPath([...segments, ...field.urlPath]) : path;
    throw new InvalidReferenceUrlError(at, reason);
  }
  return url as string;
}

/**
 * Throws `InvalidReferenceUuidError` when the id inside an inline copy does not fit the index
 * (`reference_uuid` is a `varchar(64)`). Only a copy of a remote record keeps the id its writer sent:
 * a local one is replaced by the target's own representation.
 */
export function assertIndexableUuid(occurrence: ReferenceOccurrence): void {
  if (occurrence.field.kind !== 'inline') return;
  const uuid: unknown = occurrence.field.uuid(occurrence.value as Record<string, any>);
  if (uuid === undefined || uuid === null) return;
  if (typeof uuid !== 'string') throw new InvalidReferenceUuidError(formatPath(occurrence.segments), 'must be a string');
  if (uuid.length > MAX_REFERENCE_UUID_LENGTH) {
    throw new InvalidReferenceUuidError(formatPath(occurrence.segments), `is longer than ${MAX_REFERENCE_UUID_LENGTH} characters`);
  }
}

/**
 * The references of a record's metadata, one per occurrence (the same URL at two paths is two references).
 * Pure: reads the schema's decorator metadata and the document, and throws on bad input.
 */
export function extractReferences(schema: Type<object>, metadata: Record<string, any>): ReferenceSpec[] {
  assertNoForbiddenKeys(metadata);
  const specs: ReferenceSpec[] = [];
  for (const occurrence of occurrences(schema, metadata)) {
    const reference = referenceOf(occurrence);
    const inline = occurrence.field.kind === 'inline';
    specs.push({
      reference,
      referenceUuid: inline ? (occurrence.field.uuid(occurrence.value as Record<string, any>) ?? null) : null,
      inline,
      path: formatPath(occurrence.segments),
      segments: occurrence.segments,
      field: occurrence.field,
    });
  }
  return specs;
}
