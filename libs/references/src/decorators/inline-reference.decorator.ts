import { applyDecorators } from '@nestjs/common';
import type { InlineReferenceOptions } from '../interfaces/reference-options.interface.js';
import { DEFAULT_INLINE_DEPTH } from '../references.constants.js';
import { invalidReferenceUrlReason } from '../urls/reference-url.js';
import { ReferenceApiProperty } from './reference-api-property.js';
import { ReferenceField, ReferenceRule, isArrayProperty } from './reference-field.decorator.js';

const defaultUrl = (data: Record<string, any>): string | undefined => data?.links?.self;
const defaultUuid = (data: Record<string, any>): string | undefined =>
  data?.id === undefined || data?.id === null ? undefined : String(data.id);

const STORED_COPY = 'the stored copy is taken from the target';
const INLINE_EXAMPLE = { links: { self: 'https://example.org/records/00000000-0000-0000-0000-000000000000' } };

/**
 * A property that holds a copy of another record's public representation `{ ...metadata, id, links: { self } }`,
 * or an array of them (the seed's `InlineReferenceMixin`). The stored copy is always taken from the target
 * itself, so a client may send `{ links: { self: url } }` alone.
 *
 * @example
 * @InlineReference({ onDelete: 'restrict' }) @IsOptional() stylePeriod?: InlineCopy;
 */
export function InlineReference(options: InlineReferenceOptions & { each?: boolean } = {}): PropertyDecorator {
  return (target, propertyKey) => {
    const each = isArrayProperty(target, propertyKey, options.each);
    const url = options.url ?? defaultUrl;
    applyDecorators(
      ReferenceField({
        kind: 'inline',
        propertyKey: String(propertyKey),
        onDelete: options.onDelete ?? 'keep',
        url,
        uuid: options.uuid ?? defaultUuid,
        postprocess: options.postprocess,
        fields: options.fields,
        depth: options.depth ?? DEFAULT_INLINE_DEPTH,
        create: options.create,
      }),
      ReferenceRule(
        'isInlineReference',
        each,
        (value) => {
          if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
          const link = url(value as Record<string, any>);
          if (link === undefined) return options.create !== undefined;
          return invalidReferenceUrlReason(link) === undefined;
        },
        'must be an object whose links.self is an absolute http(s) URL' +
          (options.create ? ' (or the content of a record to create)' : ''),
      ),
      ReferenceApiProperty(
        each
          ? {
              type: 'array',
              items: { type: 'object', additionalProperties: true },
              description: `Inline copies of referenced records: send [{ links: { self: url } }, …]; ${STORED_COPY}`,
              example: [INLINE_EXAMPLE],
            }
          : {
              type: 'object',
              additionalProperties: true,
              description: `Inline copy of a referenced record: send { links: { self: url } }; ${STORED_COPY}`,
              example: INLINE_EXAMPLE,
            },
      ),
    )(target, propertyKey);
  };
}
