/**
 * What a health check of the references reports while nothing waits and nothing failed, under the default
 * `maxPendingAgeMs` (5 min): the fields of an idle `status()` and the age it is held to.
 */
export const IDLE_REFERENCES_CHECK = {
  pending: 0,
  running: 0,
  failed: 0,
  blocked: 0,
  stalled: 0,
  oldestPendingMs: null,
  oldestPendingReference: null,
  failedReference: null,
  reindexFailed: 0,
  maxPendingAgeMs: 300_000,
} as const;
