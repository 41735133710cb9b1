/** What a successful PUT tells about the records that inline or link the changed one, in each propagation mode. */
export const REFERRERS_AFTER_PUT =
  'In sync mode (no REDIS_URL) every referrer is already updated when this answers. ' +
  'In queue mode (REDIS_URL set) the referrers are updated afterwards by the propagation workers; ' +
  '`GET /health` reports what is still pending (outbox).';

/** The OpenAPI schema of a page of a list endpoint (`Page`), its items being `item`. */
export function pageSchema(item: Record<string, unknown> = { type: 'object', additionalProperties: true }) {
  return {
    type: 'object',
    required: ['items'],
    properties: {
      items: { type: 'array', items: item },
      next: {
        type: 'string',
        nullable: true,
        description: 'The `cursor` of the next page; null on the last page; absent on a search (`q`), which pages by offset',
      },
      total: {
        type: 'integer',
        description:
          'How many records the list holds, counted up to 10,000 (a count reads every row it counts); only on a page ' +
          'without `cursor`, since a walk by cursor has it from its first page',
      },
      totalExact: { type: 'boolean', description: 'false when the list holds more than `total` records' },
    },
  };
}
