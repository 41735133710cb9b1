/** Injection token of the explorer's options, defaults filled in. */
export const EXPLORER_OPTIONS = 'nestjs-references:explorer-options';

/** Injection token of the explored `ReferencesModule`'s `ModuleRef` (its parts stay unexported). */
export const EXPLORER_REFERENCES = 'nestjs-references:explorer-references';

/** @default 25 — referrers per page. */
export const DEFAULT_EXPLORER_PAGE_SIZE = 25;

/** @default 10,000 — referrers counted at most (as the catalogue's `X-Total-Count`). */
export const DEFAULT_EXPLORER_MAX_COUNTED = 10_000;

/** @default 200 — activity entries kept in memory. */
export const DEFAULT_EXPLORER_ACTIVITY_KEPT = 200;

/** Records a search scans at most per page (a prefix page stops there and hands on a cursor). */
export const EXPLORER_SEARCH_SCAN = 500;

/** Records a search page lists. */
export const EXPLORER_SEARCH_PAGE = 25;

/** Referrers the neighbourhood picture shows. */
export const EXPLORER_PICTURE_REFERRERS = 6;

/**
 * The Content-Security-Policy of every explorer response: scripts and styles from the explorer's own files
 * only (no inline script, no inline handler, no style attribute), no frames, forms posting back to it only.
 */
export const EXPLORER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
