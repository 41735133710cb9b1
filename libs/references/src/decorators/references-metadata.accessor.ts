import type { Type } from '@nestjs/common';
import {
  INLINE_REFERENCE_OPTIONS_METADATA,
  INLINE_REFERENCE_TYPE_METADATA,
  REFERENCE_ENABLED_METADATA,
  REFERENCE_FIELD_METADATA,
  REFERENCE_FIELDS_METADATA,
} from '../references.constants.js';
import type {
  InlineReferenceOptions,
  ReferenceEnabledOptions,
  ReferenceFieldMetadata,
} from '../interfaces/reference-options.interface.js';

/** The one place that reads what the decorators wrote. */
export class ReferencesMetadataAccessor {
  static getEntityOptions(entity: Function): Required<Pick<ReferenceEnabledOptions, 'route' | 'schema' | 'metadata'>> &
    ReferenceEnabledOptions | undefined {
    return Reflect.getMetadata(REFERENCE_ENABLED_METADATA, entity);
  }

  static getFields(schema: Type<object>): ReferenceFieldMetadata[] {
    const keys: string[] = Reflect.getMetadata(REFERENCE_FIELDS_METADATA, schema.prototype) ?? [];
    return keys.map((key) => Reflect.getMetadata(REFERENCE_FIELD_METADATA, schema.prototype, key));
  }

  /** The options of `@InlineReference()` on a DTO class, when the class is an inline reference type. */
  static getInlineType(type: Function): InlineReferenceOptions | undefined {
    return Reflect.getMetadata(INLINE_REFERENCE_TYPE_METADATA, type);
  }

  /** The options given to `@InlineReference()` on a property, as given. */
  static getInlineOptions(schema: Type<object>, propertyKey: string): InlineReferenceOptions | undefined {
    return Reflect.getMetadata(INLINE_REFERENCE_OPTIONS_METADATA, schema.prototype, propertyKey);
  }
}
