/** What a successful PUT tells about the records that inline or link the changed one, in each propagation mode. */
export const REFERRERS_AFTER_PUT =
  'In sync mode (no REDIS_URL) every referrer is already updated when this answers. ' +
  'In queue mode (REDIS_URL set) the referrers are updated afterwards by the propagation workers; ' +
  '`GET /health` reports what is still pending (outbox).';
