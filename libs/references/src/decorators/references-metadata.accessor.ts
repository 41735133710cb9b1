import type { Type } from '@nestjs/common';
import {
  REFERENCE_ENABLED_METADATA,
  REFERENCE_FIELD_METADATA,
  REFERENCE_FIELDS_METADATA,
} from '../references.constants.js';
import type { ReferenceEnabledOptions, ReferenceFieldMetadata } from '../interfaces/reference-options.interface.js';

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
}
