import { Inject, Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import type { DataSource } from 'typeorm';
import { Dereferencer } from '../inline/dereferencer.js';
import type { ReferrerKey, RepairResult } from '../interfaces/references-reports.interface.js';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
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
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly registry: ReferenceTypesRegistry,
    private readonly dereferencer: Dereferencer,
    private readonly transactions: WriteTransactions,
  ) {}

  async repair(records: ReferrerKey[]): Promise<RepairResult> {
    const result: RepairResult = { repaired: [], failed: [] };
    for (const key of records) {
      const type = this.registry.forName(key.referrerType);
      if (!type) continue;
      try {
        const changed = await this.transactions.run(async (manager) => {
          const idProperty = type.entityMetadata.primaryColumns[0].propertyName;
          const record = (await manager.findOneBy(type.entity as any, { [idProperty]: key.referrerId })) as Record<string, any> | null;
          if (!record) return false;
          const metadata = structuredClone(type.metadataOf(record));
          await this.dereferencer.prepare(manager, type, metadata);
          if (isDeepStrictEqual(metadata, type.metadataOf(record))) return false;
          record[type.metadataProperty] = metadata;
          await manager.save(record);
          return true;
        });
        if (changed) result.repaired.push(key);
      } catch (error) {
        result.failed.push({ ...key, reason: (error as Error).message });
      }
    }
    return result;
  }
}
