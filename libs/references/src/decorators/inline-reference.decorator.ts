import { applyDecorators } from '@nestjs/common';
import { ValidateBy } from 'class-validator';
import { OpenApiProperty } from './openapi-property.decorator.js';
import type { InlineReferenceOptions, ReferenceFieldMetadata } from '../interfaces/reference-options.interface.js';
import {
  DEFAULT_INLINE_DEPTH,
  INLINE_REFERENCE_OPTIONS_METADATA,
  INLINE_REFERENCE_TYPE_METADATA,
  MAX_REFERENCE_URL_BYTES,
} from '../references.constants.js';
import { invalidReferenceUrlReason } from '../urls/reference-url.util.js';
import { ReferenceField, ReferenceRule, isArrayProperty } from './reference-field.decorator.js';

const defaultUrl = (data: Record<string, any>): string | undefined => data?.links?.self;
const isCopy = (value: unknown): value is Record<string, any> => value !== null && typeof value === 'object' && !Array.isArray(value);
const defaultUuid = (data: Record<string, any>): string | undefined =>
  data?.id === undefined || data?.id === null ? undefined : String(data.id);

/** The library's metadata of an inline reference property, from its options (defaults filled in). */
export function inlineReferenceField(propertyKey: string, options: InlineReferenceOptions): ReferenceFieldMetadata {
  return {
    kind: 'inline',
    propertyKey,
    onDelete: options.onDelete ?? 'keep',
    url: options.url ?? defaultUrl,
    urlPath: options.url ? undefined : ['links', 'self'],
    uuid: options.uuid ?? defaultUuid,
    postprocess: options.postprocess,
    ...(options.comparable === false ? { comparable: false } : {}),
    fields: options.fields,
    depth: options.depth ?? DEFAULT_INLINE_DEPTH,
    create: options.create,
  };
}

const LINK_REQUIREMENT = `must be an absolute http(s) URL of at most ${MAX_REFERENCE_URL_BYTES} bytes`;

const STORED_COPY = 'the stored copy is taken from the target';
const INLINE_EXAMPLE = { links: { self: 'https://example.org/records/00000000-0000-0000-0000-000000000000' } };

/**
 * A copy of another record's public representation `{ ...metadata, id, links: { self } }`. The stored copy is always taken from the target itself, so a client may send
 * `{ links: { self: url } }` alone.
 *
 * - On a property: it holds a copy, or an array of them.
 * - On a DTO class: the class is an inline reference type. Every property typed with it (`@ValidateNested()`
 *   with `@Type(() => Class)`), at any depth, holds copies with these options; an `@InlineReference()` on
 *   such a property overrides the options it names. The class's `links` property must then hold a valid
 *   `self` (class-validator rule), unless the options say where the link is (`url`).
 *
 * @example
 * @InlineReference({ onDelete: 'restrict' }) @IsOptional() stylePeriod?: InlineCopy;
 *
 * @InlineReference({ onDelete: 'restrict' }) class Agent { @IsString() name: string; … }
 * class Credit { @ValidateNested() @Type(() => Agent) agent: Agent; }
 */
export function InlineReference(options: InlineReferenceOptions & { each?: boolean } = {}): PropertyDecorator & ClassDecorator {
  return ((target: object, propertyKey?: string | symbol) => {
    if (propertyKey === undefined) return inlineReferenceType(target as Function, options);
    const each = isArrayProperty(target, propertyKey, options.each);
    const url = options.url ?? defaultUrl;
    Reflect.defineMetadata(INLINE_REFERENCE_OPTIONS_METADATA, options, target, propertyKey);
    applyDecorators(
      ReferenceField(inlineReferenceField(String(propertyKey), options)),
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
            ? `.links.self ${LINK_REQUIREMENT}`
            : ` must be an object whose links.self is an absolute http(s) URL of at most ${MAX_REFERENCE_URL_BYTES} bytes` +
              (options.create ? ' (or the content of a record to create)' : ''),
      ),
      OpenApiProperty(
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
  }) as PropertyDecorator & ClassDecorator;
}

/** `@InlineReference()` on a class: its options, and the rule on the copy's own link. */
function inlineReferenceType(type: Function, options: InlineReferenceOptions): void {
  Reflect.defineMetadata(INLINE_REFERENCE_TYPE_METADATA, options, type);
  if (options.url) return;
  ValidateBy({
    name: 'isInlineReferenceLink',
    validator: {
      validate: (links) =>
        links === undefined ? options.create !== undefined : isCopy(links) && invalidReferenceUrlReason(links.self) === undefined,
      defaultMessage: () => `$property.self ${LINK_REQUIREMENT}`,
    },
  })(type.prototype, 'links');
}
