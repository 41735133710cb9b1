import type { Type } from '@nestjs/common';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage } from 'class-validator';
import { inlineReferenceField } from '../decorators/inline-reference.decorator.js';
import { ReferencesMetadataAccessor } from '../decorators/references-metadata.accessor.js';
import type { ReferenceFieldMetadata } from '../interfaces/reference-options.interface.js';
import type { JsonPath } from './json-path.util.js';

/**
 * A property of a schema class that the library looks into: a reference property, or a nested DTO
 * (`@Type(() => Class)`, or a class as its declared type, normally with `@ValidateNested()`) that may hold some.
 * NOTE: properties are found through their class-validator decorators: one without any is not seen.
 */
export type SchemaProperty =
  | { key: string; field: ReferenceFieldMetadata; schema?: undefined }
  | { key: string; field?: undefined; schema: Type<object> };

/** One value of a reference property: the property itself, or each element of an array (of arrays…). */
export interface ReferenceOccurrence {
  field: ReferenceFieldMetadata;
  value: unknown;
  segments: JsonPath;
}

/** Declared types that are values, never nested DTOs. */
const NOT_A_SCHEMA: ReadonlySet<unknown> = new Set([Object, Array, String, Number, Boolean, Date, Map, Set, Function, Promise]);

const properties = new WeakMap<Function, Map<string, SchemaProperty>>();

/**
 * The reference properties and nested DTO properties of a schema class, in declaration order (inherited
 * ones too); read from the decorators' metadata once per class. A property typed with an inline reference
 * class (`@InlineReference()` on the class) is a reference property.
 */
export function schemaProperties(schema: Type<object>): ReadonlyMap<string, SchemaProperty> {
  let result = properties.get(schema);
  if (!result) {
    result = new Map();
    const fields = new Map(ReferencesMetadataAccessor.getFields(schema).map((field) => [field.propertyKey, field]));
    // NOTE: class-validator keeps every decorated property in declaration order, ours among them; it lists
    // a class's own before its parents', which come first here (as in the class-level list of fields).
    const validations = getMetadataStorage()
      .getTargetValidationMetadatas(schema, '', true, false)
      .sort((a, b) => ancestry(schema, b.target) - ancestry(schema, a.target));
    for (const key of new Set([...validations.map((v) => v.propertyName), ...fields.keys()])) {
      const field = fields.get(key);
      const nestedSchema = nestedSchemaOf(schema, key);
      const inlineType = nestedSchema && ReferencesMetadataAccessor.getInlineType(nestedSchema);
      if (inlineType && field?.kind !== 'link') {
        // A property typed with an inline reference class: its copies, with the class's options under the property's own.
        const own = ReferencesMetadataAccessor.getInlineOptions(schema, key) ?? {};
        result.set(key, { key, field: inlineReferenceField(key, { ...inlineType, ...own }) });
      } else if (field) result.set(key, { key, field });
      // NOTE: walked even without @ValidateNested(): a reference is never ignored for want of validation.
      else if (nestedSchema) result.set(key, { key, schema: nestedSchema });
    }
    properties.set(schema, result);
  }
  return result;
}

/** How many classes up from `schema` a validation's target is (0 for the class itself). */
function ancestry(schema: Function, target: Function | string): number {
  let hops = 0;
  for (let type: Function | null = schema; type && type !== target; type = Object.getPrototypeOf(type)) hops++;
  return hops;
}

/** The class a nested DTO property holds: class-transformer's `@Type()`, else its declared type. */
function nestedSchemaOf(schema: Type<object>, key: string): Type<object> | undefined {
  const declared = defaultMetadataStorage.findTypeMetadata(schema, key);
  const type = declared
    ? declared.typeFunction({ newObject: undefined, object: {}, property: key })
    : Reflect.getMetadata('design:type', schema.prototype, key);
  return typeof type === 'function' && !NOT_A_SCHEMA.has(type) ? (type as Type<object>) : undefined;
}

const rootFields = new WeakMap<Function, ReferenceFieldMetadata | null>();

/**
 * The field of a schema that is itself an inline reference type: a record with this schema is a copy of the
 * record at its own link (a mirror), at the path `''`.
 */
export function rootField(schema: Type<object>): ReferenceFieldMetadata | undefined {
  let field = rootFields.get(schema);
  if (field === undefined) {
    const options = ReferencesMetadataAccessor.getInlineType(schema);
    field = options ? inlineReferenceField('', options) : null;
    rootFields.set(schema, field);
  }
  return field ?? undefined;
}

/**
 * Every value held by the schema's reference properties at any depth — in nested DTOs, arrays of them,
 * arrays of arrays — with its location. An inline copy is a leaf: what it holds belongs to its target.
 */
export function* occurrences(schema: Type<object>, document: Record<string, any>, prefix: JsonPath = []): Generator<ReferenceOccurrence> {
  const root = rootField(schema);
  if (root) {
    yield { field: root, value: document, segments: prefix };
    return;
  }
  for (const property of schemaProperties(schema).values()) {
    const value = document[property.key];
    if (value === undefined || value === null) continue;
    yield* occurrencesWithin(property, value, [...prefix, property.key]);
  }
}

function* occurrencesWithin(property: SchemaProperty, value: unknown, segments: JsonPath): Generator<ReferenceOccurrence> {
  if (Array.isArray(value)) {
    // NOTE: elements are read as the walk reaches them, so a caller may replace the current one.
    for (let i = 0; i < value.length; i++) yield* occurrencesWithin(property, value[i], [...segments, i]);
  } else if (property.field) {
    yield { field: property.field, value, segments };
  } else if (value !== null && typeof value === 'object') {
    yield* occurrences(property.schema, value as Record<string, any>, segments);
  }
}

/**
 * The reference property that a JSON path of an index row stands in (`sub.reflist[0].$ref` → the `$ref`
 * property of the `reflist` element's class), or `undefined` when the schema has none there.
 */
export function fieldAt(schema: Type<object>, path: JsonPath): ReferenceFieldMetadata | undefined {
  if (!path.length) return rootField(schema);
  let current = schema;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (typeof segment === 'number') continue; // an array element: the same property's class
    const property = schemaProperties(current).get(segment);
    if (!property) return undefined;
    if (property.field) return path.slice(i + 1).every((s) => typeof s === 'number') ? property.field : undefined;
    current = property.schema;
  }
  return undefined;
}
