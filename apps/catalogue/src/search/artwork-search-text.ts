import type { ArtworkMetadata } from '../artworks/artwork-metadata.dto.js';

/** Most words of a query that count; the rest are ignored. */
export const MAX_SEARCH_WORDS = 32;

// NOTE: a word is a run of letters and digits, which is also how SQLite's unicode61 tokenizer and
// PostgreSQL's 'simple' configuration split plain words, so a query word never straddles two indexed ones.
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Lower case without diacritics ("Novověk" → "novovek"), applied to the indexed text and to the query alike,
 * so that search ignores case and accents on both databases without a database extension (unaccent).
 */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The words of a query, folded: what `GET /artworks?q=` matches (every word, whole). */
export function searchWords(query: string): string[] {
  return [...new Set(foldForSearch(query).match(WORD) ?? [])].slice(0, MAX_SEARCH_WORDS);
}

/**
 * The words an artwork is found by, folded and joined by spaces: its own title, the name of every creator's
 * inline agent (`creators[].agent`), and the title of every inline term (`stylePeriod`, `styles`) and of their
 * nested `parent` copies, as far as the stored copies go
 * (see README "Depth of nested inline copies": a copy reduced to `{ id, links }` has no title).
 */
export function artworkSearchText(metadata: ArtworkMetadata): string {
  const parts: string[] = [metadata.title];
  const terms = [metadata.stylePeriod, ...(Array.isArray(metadata.styles) ? metadata.styles : [])];
  for (const term of terms) collectTermTitles(term, parts, new Set());
  // The names of its creators, as copied (refreshed, and the artwork reindexed, when an agent changes).
  for (const credit of Array.isArray(metadata.creators) ? metadata.creators : []) {
    if (isObject(credit) && isObject(credit.agent) && typeof credit.agent.name === 'string') parts.push(credit.agent.name);
  }
  // NOTE: only plain words reach the database, so both parsers see the same tokens as the query does
  // (PostgreSQL's would otherwise read "st.peter" as one host name, and SQLite's as two words).
  const text = parts.filter((part) => typeof part === 'string').join('\n');
  return (foldForSearch(text).match(WORD) ?? []).join(' ');
}

function collectTermTitles(term: unknown, parts: string[], seen: Set<unknown>): void {
  // NOTE: stored copies are bounded by the library's depth rule; `seen` only guards against a malformed document.
  for (let node = term; isObject(node) && !seen.has(node); node = node.parent) {
    seen.add(node);
    if (typeof node.title === 'string') parts.push(node.title);
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null;
}
