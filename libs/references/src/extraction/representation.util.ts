import type { Type } from '@nestjs/common';
import { instanceToPlain, plainToInstance, type ClassTransformOptions } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { schemaProperties } from './reference-schema.util.js';

/** What class-transformer's rules on a metadata DTO leave out of a copy. */
export interface RepresentationRules {
  /** The content with the DTO's `@Exclude()` and `@Expose({ groups })` applied, as plain JSON. */
  apply(content: Record<string, any>): Record<string, any>;
  /** The top-level keys the rules always leave out (`@Exclude()`, or exposed to other groups only). */
  readonly withheld: ReadonlySet<string>;
}

/**
 * The class-transformer rules of a metadata DTO as the representation applies them, or `undefined` when the
 * DTO (and the DTOs nested in it) has none and no `groups` are asked for: then the metadata is copied as it
 * is, without the cost of a transformation.
 */
export function representationRules(schema: Type<object>, groups: string[] = []): RepresentationRules | undefined {
  if (!groups.length && !hasRules(schema, new Set())) return undefined;
  const options: ClassTransformOptions = { groups };
  return {
    // NOTE: through JSON, so that a copy holds what would be stored: no undefined keys (declared fields of the
    // class that the record does not hold), plain objects only.
    apply: (content) => JSON.parse(JSON.stringify(instanceToPlain(plainToInstance(schema, content, options), options))),
    withheld: withheldKeys(schema, groups),
  };
}

/** Whether class-transformer would change a document of this class: a class or property `@Exclude()` / `@Expose()`. */
function hasRules(schema: Function, seen: Set<Function>): boolean {
  if (seen.has(schema)) return false;
  seen.add(schema);
  const storage = defaultMetadataStorage;
  if (storage.getStrategy(schema) !== 'none' || storage.getExposedMetadatas(schema).length || storage.getExcludedMetadatas(schema).length) return true;
  return nestedClasses(schema).some((nested) => hasRules(nested, seen));
}

/** The DTO classes nested in a schema: the library's walk of it, and class-transformer's own `@Type()`. */
function nestedClasses(schema: Function): Function[] {
  const nested: Function[] = [];
  for (const property of schemaProperties(schema as Type<object>).values()) if (property.schema) nested.push(property.schema);
  // NOTE: a `@Type()` without a class-validator decorator is not in the library's walk; class-transformer keeps it per class.
  const types: Map<Function, Map<string, { typeFunction: (options?: any) => unknown }>> | undefined = (defaultMetadataStorage as any)._typeMetadatas;
  for (let type: Function | null = schema; type && type !== Object && type !== Function.prototype; type = Object.getPrototypeOf(type)) {
    for (const metadata of types?.get(type)?.values() ?? []) {
      const nestedType = metadata.typeFunction({ newObject: undefined, object: {}, property: '' });
      if (typeof nestedType === 'function' && nestedType !== Object && nestedType !== Date) nested.push(nestedType);
    }
  }
  return nested;
}

/** The top-level keys of a DTO that no copy holds with these groups. */
function withheldKeys(schema: Type<object>, groups: string[]): Set<string> {
  const storage = defaultMetadataStorage;
  const withheld = new Set<string>();
  // NOTE: every @Exclude(), one way or both: the representation goes plain → class → plain, so each one drops its key.
  for (const metadata of storage.getExcludedMetadatas(schema)) if (metadata.propertyName) withheld.add(metadata.propertyName);
  for (const metadata of storage.getExposedMetadatas(schema)) {
    const only = metadata.options?.groups;
    if (metadata.propertyName && only?.length && !only.some((group) => groups.includes(group))) withheld.add(metadata.propertyName);
  }
  return withheld;
}
