import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { InlineReferenceOptions } from '../interfaces/reference-options.interface.js';
import { DEFAULT_INLINE_DEPTH, MAX_REFERENCE_URL_LENGTH } from '../references.constants.js';
import { invalidReferenceUrlReason } from '../urls/reference-url.js';
import { ReferenceField, ReferenceRule, isArrayProperty } from './reference-field.decorator.js';

const defaultUrl = (data: Record<string, any>): string | undefined => data?.links?.self;
const isCopy = (value: unknown): value is Record<string, any> => value !== null && typeof value === 'object' && !Array.isArray(value);
const defaultUuid = (data: Record<string, any>): string | undefined =>
  data?.id === undefined || data?.id === null ? undefined : String(data.id);

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
        urlPath: options.url ? undefined : ['links', 'self'],
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
          if (!isCopy(value)) return false;
          const link = url(value as Record<string, any>);
          if (link === undefined) return options.create !== undefined;
          return invalidReferenceUrlReason(link) === undefined;
        },
        (value) =>
          // NOTE: a single copy whose link is there but bad: the message names the link itself.
          !options.url && isCopy(value) && defaultUrl(value) !== undefined
            ? `.links.self must be an absolute http(s) URL of at most ${MAX_REFERENCE_URL_LENGTH} characters`
            : ' must be an object whose links.self is an absolute http(s) URL' + (options.create ? ' (or the content of a record to create)' : ''),
      ),
      ApiProperty({
        type: 'object',
        isArray: each,
        additionalProperties: true,
        description: 'Inline copy of a referenced record: send { links: { self: url } }; the stored copy is taken from the target',
        example: { links: { self: 'http://localhost:3000/terms/00000000-0000-0000-0000-000000000000' } },
      }),
    )(target, propertyKey);
  };
}
