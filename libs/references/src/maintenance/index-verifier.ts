import { isDeepStrictEqual } from 'node:util';
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { extractReferences, type ReferenceSpec } from '../extraction/reference-extractor.js';
import { getAt } from '../extraction/json-path.js';
import { ReferenceEntry } from '../index/reference-entry.entity.js';
import { toReferenceRow } from '../index/reference-index.js';
import type { InlineCopies } from '../inline/inline-copies.js';
import type { ReferenceRow } from '../interfaces/reference-row.interface.js';
import type { VerifyReport } from '../interfaces/references-reports.interface.js';
import type { ReferenceType } from '../registry/reference-type.js';
import type { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { recordBatches } from './record-batches.js';

const key = (r: { reference: string; path: string; inline: boolean }) => `${r.inline ? 'i' : 'l'} ${r.path} ${r.reference}`;

/** Compares the index and the inline copies with the records, and reports; changes nothing. */
export async function verifyIndex(
  dataSource: DataSource,
  registry: ReferenceTypesRegistry,
  copies: InlineCopies,
  batchSize: number,
): Promise<VerifyReport> {
  const report: VerifyReport = { missing: [], extra: [], stale: [], dangling: [], records: 0, ok: true };
  const manager = dataSource.manager;
  const seen = new Map<string, Set<string>>();
  for (const type of registry.types) {
    const ids = new Set<string>();
    seen.set(type.name, ids);
    for await (const records of recordBatches(manager, type, batchSize)) {
      const byId = new Map(records.map((r) => [type.idOf(r), r]));
      for (const id of byId.keys()) ids.add(id);
      const rows = await manager.getRepository(ReferenceEntry).find({
        where: { referrerType: type.name, referrerId: In([...byId.keys()]) },
      });
      const indexed = new Map<string, Map<string, ReferenceEntry>>();
      for (const row of rows) (indexed.get(row.referrerId) ?? indexed.set(row.referrerId, new Map()).get(row.referrerId)!).set(key(row), row);
      for (const [id, record] of byId) {
        const metadata = type.metadataOf(record);
        const specs = extractReferences(type.schema, metadata);
        const present = indexed.get(id) ?? new Map();
        for (const spec of specs) {
          const row = toRow(type.name, id, spec);
          if (!present.delete(key(spec))) report.missing.push(row);
          await checkTarget(manager, registry, copies, metadata, spec, row, report);
        }
        for (const row of present.values()) report.extra.push(toReferenceRow(row));
      }
      report.records += records.length;
    }
  }
  // Index rows of records that no longer exist, or of types that are no longer reference-enabled.
  for (let after = 0; ; ) {
    const rows = await manager
      .getRepository(ReferenceEntry)
      .createQueryBuilder('e')
      .where('e.id > :after', { after })
      .orderBy('e.id')
      .take(batchSize)
      .getMany();
    if (!rows.length) break;
    for (const row of rows) if (!seen.get(row.referrerType)?.has(row.referrerId)) report.extra.push(toReferenceRow(row));
    after = rows.at(-1)!.id;
  }
  report.ok = !report.missing.length && !report.extra.length && !report.stale.length && !report.dangling.length;
  return report;
}

async function checkTarget(
  manager: DataSource['manager'],
  registry: ReferenceTypesRegistry,
  copies: InlineCopies,
  metadata: Record<string, any>,
  spec: ReferenceSpec,
  row: ReferenceRow,
  report: VerifyReport,
) {
  const local = registry.resolve(spec.reference);
  if (!local) return;
  const target = await load(manager, local.type, local.id);
  if (!target) {
    report.dangling.push(row);
    return;
  }
  if (!spec.inline) return;
  const expected = copies.build(local.type.representationOf(target), local.type, spec.field, { reference: spec.reference, manager });
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(expected)), getAt(metadata, spec.segments))) report.stale.push(row);
}

async function load(manager: DataSource['manager'], type: ReferenceType, id: string) {
  const idProperty = type.entityMetadata.primaryColumns[0].propertyName;
  return manager.findOne(type.entity as any, { where: { [idProperty]: id } });
}

function toRow(referrerType: string, referrerId: string, spec: ReferenceSpec): ReferenceRow {
  return { referrerType, referrerId, reference: spec.reference, referenceUuid: spec.referenceUuid, inline: spec.inline, path: spec.path };
}
