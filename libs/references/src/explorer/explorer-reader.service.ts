import { Inject, Injectable } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { DataSource, EntityManager } from 'typeorm';
import { ExplorerInputError, NonCanonicalReferenceError } from '../errors/references.errors.js';
import { extractReferences, type ReferenceSpec } from '../extraction/reference-extractor.util.js';
import { getAt } from '../extraction/json-path.util.js';
import { InlineCopies } from '../inline/inline-copies.service.js';
import type { ReferenceRow } from '../interfaces/reference-row.interface.js';
import type { ReferencesStatus } from '../interfaces/references-reports.interface.js';
import { RecordLoader } from '../records/record-loader.service.js';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { ReferencesService } from '../references.service.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { invalidReferenceUrlReason } from '../urls/reference-url.util.js';
import { ReferenceUrls } from '../urls/reference-urls.service.js';
import { EXPLORER_OPTIONS, EXPLORER_REFERENCES, EXPLORER_SEARCH_PAGE, EXPLORER_SEARCH_SCAN } from './explorer.constants.js';
import type { ReferencesExplorerOptions } from './references-explorer-options.interface.js';

/** Where a held reference stands: a copy `current` or `stale`, a link `resolved`, either `dangling` or `external`. */
export type HeldState = 'current' | 'stale' | 'resolved' | 'dangling' | 'external';

/** One reference a record holds, with its state. */
export interface HeldReference {
  path: string;
  reference: string;
  inline: boolean;
  state: HeldState;
  /** The copy's title (or name, label, the reference itself when it has none); a link's target's, when local. */
  title: string;
}

/** A referrer as a page lists it: its index row and its own URL. */
export interface ListedReferrer extends ReferenceRow {
  /** `null` when the record is gone (the index still names it until its next write or `synchronize`). */
  url: string | null;
  title: string | null;
}

/** Everything the record page shows. */
export interface RecordView {
  url: string;
  type: string;
  id: string;
  document: Record<string, any>;
  holds: HeldReference[];
  referrers: { rows: ListedReferrer[]; next: string | null; cursor?: string; count: number; exact: boolean };
}

/** What the explorer answers for a URL that names no record. */
export interface UnknownRecord {
  url: string;
  reason: string;
}

/** A page of found records. */
export interface FoundRecords {
  query: string;
  records: Array<{ url: string; title: string | null }>;
  next: string | null;
}

/**
 * Reads what the explorer shows, with the parts of the explored `ReferencesModule`: a record with the state of
 * each reference it holds (a copy compared with what `InlineCopies` builds of its target now, as `verify()`
 * does), its referrers a page at a time by key with a capped count, and records by URL prefix.
 */
@Injectable()
export class ExplorerReader {
  constructor(
    @Inject(EXPLORER_REFERENCES) private readonly parts: ModuleRef,
    @Inject(EXPLORER_OPTIONS) private readonly options: Required<Omit<ReferencesExplorerOptions, 'dataSource' | 'authorize'>>,
  ) {}

  get references(): ReferencesService {
    return this.parts.get(ReferencesService);
  }

  status(): Promise<ReferencesStatus> {
    return this.references.status();
  }

  /** The record `raw` names, or why there is none. */
  async record(raw: string | undefined, cursor?: string): Promise<RecordView | UnknownRecord> {
    const url = this.canonical(raw, 'url');
    const registry = this.parts.get(ReferenceTypesRegistry);
    const local = registry.resolve(url);
    if (!local) return { url, reason: 'no record type of this app has this URL' };
    const manager = this.manager;
    const record = await this.parts.get(RecordLoader).load(manager, local.type, local.id, { by: 'key' });
    if (!record) return { url, reason: `no ${local.type.name} record has this URL` };
    const document = local.type.metadataOf(record);
    const [holds, referrers] = await Promise.all([this.holds(manager, document, local.type), this.referrers(url, cursor)]);
    return { url, type: local.type.name, id: local.type.idOf(record), document, holds, referrers };
  }

  /** Records whose canonical URL starts with `raw`, by type then id, a page at a time. */
  async find(raw: string | undefined, cursor?: string): Promise<FoundRecords> {
    const query = (raw ?? '').trim();
    if (!query) throw new ExplorerInputError('q', 'give a URL or the start of one');
    const from = cursor ? this.decodeCursor(cursor) : undefined;
    // NOTE: types with a canonicalUrl of their own have no URL prefix to match: they are found by their exact URL.
    const types = this.parts
      .get(ReferenceTypesRegistry)
      .types.filter((type) => type.urlPrefix && (type.urlPrefix.startsWith(query) || query.startsWith(type.urlPrefix)))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const found: Array<{ type: ReferenceType; key: string; url: string }> = [];
    let scanned = 0;
    for (const type of types) {
      if (from && type.name < from.type) continue;
      // NOTE: by the value the URL holds (the id, or the type's unique key column), so that the URLs come in order.
      const idProperty = type.keyProperty;
      let after = from?.type === type.name ? from.after : undefined;
      for (;;) {
        const left = EXPLORER_SEARCH_SCAN - scanned;
        const select = this.manager
          .createQueryBuilder(type.entity as any, 'r')
          .select(`r.${idProperty}`, 'id')
          .orderBy(`r.${idProperty}`, 'ASC')
          .limit(left);
        if (after !== undefined) select.where(`r.${idProperty} > :after`, { after });
        const rows: Array<{ id: unknown }> = await select.getRawMany();
        for (const row of rows) {
          after = String(row.id);
          scanned++;
          const url = type.urlPrefix + encodeURIComponent(after);
          if (url.startsWith(query)) found.push({ type, key: after, url });
          // NOTE: a page scans a bounded number of records, so a prefix matching few of many still answers fast.
          if (found.length === EXPLORER_SEARCH_PAGE || scanned === EXPLORER_SEARCH_SCAN) return { query, records: await this.titled(found), next: this.encodeCursor(type.name, after) };
        }
        if (rows.length < left) break;
      }
    }
    return { query, records: await this.titled(found), next: null };
  }

  /** The found records with their titles, read with one statement per type. */
  private async titled(found: Array<{ type: ReferenceType; key: string; url: string }>): Promise<FoundRecords['records']> {
    const titles = new Map<string, string | null>();
    for (const type of new Set(found.map((f) => f.type))) {
      const keys = found.filter((f) => f.type === type).map((f) => f.key);
      for (const record of await this.parts.get(RecordLoader).loadMany(this.manager, type, keys, { by: 'key' })) {
        titles.set(type.canonicalUrl(record), titleOf(type.metadataOf(record)) ?? null);
      }
    }
    return found.map(({ url }) => ({ url, title: titles.get(url) ?? null }));
  }

  /** `raw` as the index stores it, or `ExplorerInputError` naming `field`. */
  canonical(raw: string | undefined, field: string): string {
    if (!raw) throw new ExplorerInputError(field, 'give the URL of a record');
    const reason = invalidReferenceUrlReason(raw);
    if (reason) throw new ExplorerInputError(field, `the URL ${reason}`);
    try {
      return this.parts.get(ReferenceUrls).canonical(raw);
    } catch (error) {
      if (error instanceof NonCanonicalReferenceError) throw new ExplorerInputError(field, error.message);
      throw error;
    }
  }

  private get manager(): EntityManager {
    return this.parts.get<DataSource>(REFERENCES_DATA_SOURCE).manager;
  }

  private async holds(manager: EntityManager, document: Record<string, any>, type: ReferenceType): Promise<HeldReference[]> {
    let specs: ReferenceSpec[];
    try {
      specs = extractReferences(type.schema, document);
    } catch {
      // NOTE: a record the library cannot read (written around it) still shows; `verify` reports it.
      return [];
    }
    const registry = this.parts.get(ReferenceTypesRegistry);
    const wanted = new Map<ReferenceType, Set<string>>();
    const targets = specs.map((spec) => registry.resolve(spec.reference));
    for (const target of targets) if (target) (wanted.get(target.type) ?? wanted.set(target.type, new Set()).get(target.type)!).add(target.id);
    const loaded = new Map<ReferenceType, Map<string, object>>();
    for (const [targetType, ids] of wanted) {
      const records = await this.parts.get(RecordLoader).loadMany(manager, targetType, [...ids], { by: 'key' });
      loaded.set(targetType, new Map(records.map((r) => [targetType.keyOf(r), r])));
    }
    const copies = this.parts.get(InlineCopies);
    return specs.map((spec, i) => {
      const target = targets[i];
      const stored = getAt(document, spec.segments);
      const record = target && loaded.get(target.type)?.get(target.id);
      let state: HeldState;
      if (!target) state = 'external';
      else if (!record) state = 'dangling';
      else if (!spec.inline) state = 'resolved';
      else {
        const representation = target.type.representationOf(record);
        state = copies.isCurrent(stored, representation, target.type, spec.field, { reference: spec.reference, manager }) ? 'current' : 'stale';
      }
      const shown = spec.inline ? stored : record && target!.type.metadataOf(record);
      return { path: spec.path, reference: spec.reference, inline: spec.inline, state, title: titleOf(shown) ?? spec.reference };
    });
  }

  private async referrers(url: string, cursor?: string): Promise<RecordView['referrers']> {
    const { pageSize, maxCounted } = this.options;
    const [page, counted] = await Promise.all([
      this.references.getReferrersPage(url, { limit: pageSize, cursor }),
      this.references.countReferrers(url, { limit: maxCounted + 1 }),
    ]);
    const rows = await this.withUrls(page.rows);
    return { rows, next: page.next, cursor, count: Math.min(counted, maxCounted), exact: counted <= maxCounted };
  }

  /** Each referrer's own URL and title, its records read with one statement per type (a page is small). */
  private async withUrls(rows: ReferenceRow[]): Promise<ListedReferrer[]> {
    const registry = this.parts.get(ReferenceTypesRegistry);
    const found = new Map<string, { url: string; title: string | null }>();
    const byType = new Map<ReferenceType, string[]>();
    for (const row of rows) {
      const type = registry.forName(row.referrerType);
      if (type) (byType.get(type) ?? byType.set(type, []).get(type)!).push(row.referrerId);
    }
    for (const [type, ids] of byType) {
      for (const record of await this.parts.get(RecordLoader).loadMany(this.manager, type, [...new Set(ids)])) {
        found.set(`${type.name}/${type.idOf(record)}`, { url: type.canonicalUrl(record), title: titleOf(type.metadataOf(record)) ?? null });
      }
    }
    return rows.map((row) => ({ ...row, url: null, title: null, ...found.get(`${row.referrerType}/${row.referrerId}`) }));
  }

  private encodeCursor(type: string, after: string): string {
    return Buffer.from(JSON.stringify([type, after])).toString('base64url');
  }

  private decodeCursor(cursor: string): { type: string; after: string } {
    try {
      const [type, after] = JSON.parse(Buffer.from(cursor, 'base64url').toString());
      if (typeof type === 'string' && typeof after === 'string') return { type, after };
    } catch {
      // NOTE: answered below, as any other cursor this page did not hand out.
    }
    throw new ExplorerInputError('cursor', 'not a cursor that a page of found records answered');
  }
}

/** What a document calls itself: `title`, `name` or `label`, when it is text. */
export function titleOf(document: unknown): string | undefined {
  if (document === null || typeof document !== 'object') return undefined;
  for (const key of ['title', 'name', 'label', 'prefLabel']) {
    const value = (document as Record<string, unknown>)[key];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}
