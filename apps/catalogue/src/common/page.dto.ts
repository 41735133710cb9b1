import { type Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_COUNTED } from './page-query.dto.js';

/**
 * One page of a list endpoint: the one shape every list of the catalogue answers (records, a search, referrers).
 *
 * @example
 * { items: [...], next: 'eyJ…', total: 7, totalExact: true }
 */
export interface Page<T = Record<string, any>> {
  items: T[];
  /** The `cursor` of the next page, `null` on the last one; absent on a search (`q`), which pages by offset. */
  next?: string | null;
  /** How many rows the list holds, counted up to `MAX_COUNTED`; only on a page without a cursor. */
  total?: number;
  /** `false` when the list holds more than `total`; beside `total` only. */
  totalExact?: boolean;
}

/** `{ total, totalExact }` of a count taken up to `MAX_COUNTED + 1` rows: one more tells whether the count is capped. */
export function cappedTotal(counted: number): Required<Pick<Page, 'total' | 'totalExact'>> {
  return { total: Math.min(counted, MAX_COUNTED), totalExact: counted <= MAX_COUNTED };
}

/**
 * The OpenAPI schema of a page whose items are `item`, named `name` (e.g. `TermPage`): a class, so that the
 * document holds it once under `components.schemas` and each list route refers to it. `searchable`: the list
 * also answers a search, paged by offset.
 */
export function pageOf(item: Type, name: string, options: { searchable?: boolean } = {}): Type<Page> {
  class PageOfItems implements Page {
    items: Record<string, any>[];
    next?: string | null;
    total?: number;
    totalExact?: boolean;
  }
  ApiProperty({ type: () => item, isArray: true })(PageOfItems.prototype, 'items');
  ApiPropertyOptional({
    type: 'string',
    nullable: true,
    description:
      'The `cursor` of the next page; null on the last page' + (options.searchable ? '; absent on a search (`q`), which pages by offset' : ''),
  })(PageOfItems.prototype, 'next');
  ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_COUNTED,
    description:
      `How many rows the list holds, counted up to ${MAX_COUNTED} (a count reads every row it counts); only on a page ` +
      'without `cursor`, since a walk by cursor has it from its first page',
  })(PageOfItems.prototype, 'total');
  ApiPropertyOptional({ type: 'boolean', description: 'false when the list holds more than `total` rows; beside `total` only' })(
    PageOfItems.prototype,
    'totalExact',
  );
  Object.defineProperty(PageOfItems, 'name', { value: name });
  return PageOfItems;
}
