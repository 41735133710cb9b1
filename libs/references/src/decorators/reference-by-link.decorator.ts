import { applyDecorators } from '@nestjs/common';
import { OpenApiProperty } from './openapi-property.decorator.js';
import type { ReferenceByLinkOptions } from '../interfaces/reference-options.interface.js';
import { MAX_REFERENCE_URL_BYTES } from '../references.constants.js';
import { invalidReferenceUrlReason } from '../urls/reference-url.util.js';
import { ReferenceField, ReferenceRule, isArrayProperty } from './reference-field.decorator.js';

const EXAMPLE_URL = 'https://example.org/records/00000000-0000-0000-0000-000000000000';

/**
 * A property that holds the canonical URL of another record, or an array of them.
 * Validates an absolute http(s) URL of at most 2,048 bytes (UTF-8); composes with other class-validator decorators.
 *
 * @example
 * @ReferenceByLink({ onDelete: 'detach' }) @IsOptional() related?: string[];
 * @ReferenceByLink({ reindexOnChange: false }) @IsOptional() source?: string;   // shows only the URL: no reindex when the target changes
 */
export function ReferenceByLink(options: ReferenceByLinkOptions & { each?: boolean } = {}): PropertyDecorator {
  return (target, propertyKey) => {
    const each = isArrayProperty(target, propertyKey, options.each);
    applyDecorators(
      ReferenceField({
        kind: 'link',
        propertyKey: String(propertyKey),
        onDelete: options.onDelete ?? 'keep',
        url: () => undefined,
        uuid: () => undefined,
        depth: 0,
        reindexOnChange: options.reindexOnChange ?? true,
      }),
      ReferenceRule(
        'isReferenceUrl',
        each,
        (value) => invalidReferenceUrlReason(value) === undefined,
        `must be an absolute http(s) URL of at most ${MAX_REFERENCE_URL_BYTES} bytes`,
      ),
      OpenApiProperty({
        type: String,
        isArray: each,
        format: 'uri',
        maxLength: MAX_REFERENCE_URL_BYTES,
        description: each ? 'Canonical URLs of the referenced records' : 'Canonical URL of the referenced record',
        example: each ? [EXAMPLE_URL] : EXAMPLE_URL,
      }),
    )(target, propertyKey);
  };
}
