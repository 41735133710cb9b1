import { Inject, Injectable } from '@nestjs/common';
import { asJson } from '../extraction/storable-json.util.js';
import { isDeepStrictEqual } from 'node:util';
import type { DataSource, EntityManager } from 'typeorm';
import { extractReferences, type ReferenceSpec } from '../extraction/reference-extractor.util.js';
import { getAt } from '../extraction/json-path.util.js';
import { ReferenceIndex, referenceKey } from '../reverse-index/reference-index.service.js';
import { InlineCopies } from '../inline/inline-copies.service.js';
import type { ReferenceRow } from '../interfaces/reference-row.interface.js';
import type { ReferrerKey, StaleCause, VerifyKind, VerifyReport } from '../interfaces/references-reports.interface.js';
import { RecordLoader } from '../records/record-loader.service.js';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { ReferenceUrls } from '../urls/reference-urls.service.js';
import { recordBatches } from './record-batches.util.js';

/** One reference found in a record, with the local target it names (if any). */
interface Found {
  row: ReferenceRow;
  spec: ReferenceSpec;
  metadata: Record<string, any>;
  target?: { type: ReferenceType; id: string };
}

/** Adds rows to a list of the report (counted in its total, kept while the list is under the limit). */
type AddToReport = (kind: VerifyKind, ...rows: object[]) => void;

/**
 * Compares the index and the inline copies with the records, a batch of records at a time (their index
 * rows and their local targets read with one statement each), and reports; changes nothing.
 */
@Injectable()
export class IndexVerifier {
  constructor(
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly registry: ReferenceTypesRegistry,
    private readonly index: ReferenceIndex,
    private readonly copies: InlineCopies,
    private readonly loader: RecordLoader,
    private readonly urls: ReferenceUrls,
  ) {}

  /** Checks every record, a batch at a time; each list of the report keeps at most `limit` rows, the totals count all. */
  async verify(batchSize: number, limit: number): Promise<VerifyReport> {
    const totals = { missing: 0, extra: 0, stale: 0, withheld: 0, dangling: 0, nonCanonical: 0, invalid: 0 };
    const report: VerifyReport = { missing: [], extra: [], stale: [], withheld: [], dangling: [], nonCanonical: [], invalid: [], records: 0, totals, ok: true };
    const manager = this.dataSource.manager;
    const add: AddToReport = (kind, ...rows) => {
      totals[kind] += rows.length;
      const list = report[kind] as unknown[];
      for (const row of rows) if (list.length < limit) list.push(row);
    };
    for (const type of this.registry.types) {
      for await (const records of recordBatches(manager, type, batchSize)) {
        await this.checkBatch(manager, type, records, add);
        report.records += records.length;
      }
    }
    const orphans = await this.index.orphans(manager, this.registry.types, limit);
    add('extra', ...orphans.rows);
    totals.extra += orphans.total - orphans.rows.length;
    report.ok = Object.values(totals).every((n) => n === 0);
    return report;
  }

  private async checkBatch(manager: EntityManager, type: ReferenceType, records: object[], add: AddToReport) {
    const ids = records.map((r) => type.idOf(r));
    const indexed = new Map<string, Map<string, ReferenceRow>>();
    for (const row of await this.index.rowsOf(manager, type.name, ids)) {
      (indexed.get(row.referrerId) ?? indexed.set(row.referrerId, new Map()).get(row.referrerId)!).set(referenceKey(row), row);
    }
    const found: Found[] = [];
    records.forEach((record, i) => {
      const metadata = type.metadataOf(record);
      const present = indexed.get(ids[i]) ?? new Map<string, ReferenceRow>();
      let specs: ReferenceSpec[];
      try {
        specs = extractReferences(type.schema, metadata);
      } catch (error) {
        // NOTE: one unreadable record is reported; it does not stop the report on the others.
        add('invalid', { referrerType: type.name, referrerId: ids[i], reason: (error as Error).message });
        present.clear();
        return;
      }
      for (const spec of specs) {
        const row: ReferenceRow = {
          referrerType: type.name,
          referrerId: ids[i],
          reference: spec.reference,
          referenceUuid: spec.referenceUuid,
          inline: spec.inline,
          path: spec.path,
        };
        if (!present.delete(referenceKey(spec))) add('missing', row);
        if (!this.isCanonical(spec)) add('nonCanonical', row);
        found.push({ row, spec, metadata, target: this.registry.resolve(spec.reference) });
      }
      add('extra', ...present.values());
    });
    const targets = await this.loadTargets(manager, found);
    // NOTE: one representation per target, as propagation builds it, whatever the number of its copies here.
    const representations = new Map<object, Record<string, any>>();
    for (const { row, spec, metadata, target } of found) {
      if (!target) continue;
      const record = targets.get(target.type)?.get(target.id);
      if (!record) add('dangling', row);
      else if (spec.inline) {
        const representation = representations.get(record) ?? representations.set(record, target.type.representationOf(record)).get(record)!;
        const expected = this.copies.build(representation, target.type, spec.field, { reference: spec.reference, manager });
        const stored = getAt(metadata, spec.segments);
        const cause = staleCause(asJson(expected) as Record<string, any>, stored);
        if (cause) add('stale', { ...row, cause });
        const keys = this.copies.withheldIn(stored, target.type, record, representation);
        if (keys.length) add('withheld', { ...row, keys });
      }
    }
  }

  /** Whether a stored reference is in the spelling the library stores: canonical when local. */
  private isCanonical(spec: ReferenceSpec): boolean {
    try {
      return this.urls.identify(spec.reference, spec.path).reference === spec.reference;
    } catch {
      return false;
    }
  }

  private async loadTargets(manager: EntityManager, found: Found[]): Promise<Map<ReferenceType, Map<string, object>>> {
    const wanted = new Map<ReferenceType, Set<string>>();
    for (const { target } of found) if (target) (wanted.get(target.type) ?? wanted.set(target.type, new Set()).get(target.type)!).add(target.id);
    const loaded = new Map<ReferenceType, Map<string, object>>();
    for (const [type, ids] of wanted) {
      const records = await this.loader.loadMany(manager, type, [...ids], { by: 'key' });
      loaded.set(type, new Map(records.map((r) => [type.keyOf(r), r])));
    }
    return loaded;
  }
}

/**
 * Why a stored copy differs from the expected one, or `undefined` when it does not: `representation` when
 * every key the two share holds the same value (only which keys a copy holds changed), else `content`.
 */
function staleCause(expected: Record<string, any>, stored: unknown): StaleCause | undefined {
  if (isDeepStrictEqual(expected, stored)) return undefined;
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return 'content';
  const shared = Object.keys(expected).filter((key) => key in stored);
  return shared.every((key) => isDeepStrictEqual(expected[key], (stored as Record<string, any>)[key])) ? 'representation' : 'content';
}
