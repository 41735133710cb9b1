import { Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import type { EntityManager } from 'typeorm';
import { Dereferencer } from '../inline/dereferencer.js';
import type { ReferrerKey, RepairResult } from '../interfaces/references-reports.interface.js';
import type { ReferenceType } from '../registry/reference-type.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { WriteTransactions } from '../transaction/write-transactions.js';

/**
 * Writes records again as the library writes them today: each local reference in its canonical spelling
 * and each copy taken from its target (`references repair`, for what `verify()` reports non-canonical).
 * A record is saved through TypeORM, so its index rows and its referrers follow, in its own transaction.
 */
@Injectable()
export class Repairer {
  constructor(
    private readonly registry: ReferenceTypesRegistry,
    private readonly dereferencer: Dereferencer,
    private readonly transactions: WriteTransactions,
  ) {}

  async repair(records: ReferrerKey[]): Promise<RepairResult> {
    const result: RepairResult = { repaired: [], failed: [] };
    for (const key of records) {
      const type = this.registry.forName(key.referrerType);
      if (!type) continue;
      const idProperty = type.entityMetadata.primaryColumns[0].propertyName;
      try {
        const { changed } = await this.transactions.run((manager) => this.rewrite(manager, type, { [idProperty]: key.referrerId }));
        if (changed) result.repaired.push(key);
      } catch (error) {
        result.failed.push({ ...key, reason: (error as Error).message });
      }
    }
    return result;
  }

  /**
   * Reads one record afresh in the transaction of `manager`, takes its references and copies again as a
   * write would, and saves it if that changed it (`ReferencesService.refreshReferences()` too).
   * `record` is `undefined` when no record matches `where`.
   */
  async rewrite<T extends object>(manager: EntityManager, type: ReferenceType, where: Record<string, unknown>): Promise<{ record?: T; changed: boolean }> {
    const record = (await manager.findOneBy(type.entity as any, where as any)) as T | null;
    if (!record) return { changed: false };
    const metadata = structuredClone(type.metadataOf(record));
    await this.dereferencer.prepare(manager, type, metadata);
    // NOTE: compared as JSON values: what is stored (no undefined keys, plain objects; key order aside).
    if (isDeepStrictEqual(asJson(metadata), asJson(type.metadataOf(record)))) return { record, changed: false };
    (record as Record<string, any>)[type.metadataProperty] = metadata;
    return { record: await manager.save(record), changed: true };
  }
}

const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
