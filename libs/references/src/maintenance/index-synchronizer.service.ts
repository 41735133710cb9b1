import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { extractReferences } from '../extraction/reference-extractor.util.js';
import type { SynchronizeOptions, SynchronizeResult } from '../interfaces/references-reports.interface.js';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { ReferenceIndex } from '../reverse-index/reference-index.service.js';
import { recordBatches } from './record-batches.util.js';

/**
 * Rebuilds the index from the stored records.
 * Each batch commits on its own, so an interrupted run keeps what it did and a re-run completes it.
 */
@Injectable()
export class IndexSynchronizer {
  constructor(
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly registry: ReferenceTypesRegistry,
    private readonly index: ReferenceIndex,
  ) {}

  async synchronize(options: SynchronizeOptions & { batchSize: number }): Promise<SynchronizeResult> {
    const { dataSource, registry, index } = this;
    if (options.clear) await index.clear(dataSource.manager);
    let total = 0;
    for (const type of registry.types) total += await dataSource.manager.count(type.entity as any);
    const result: SynchronizeResult = { records: 0, references: 0, invalid: [] };
    for (const type of registry.types) {
      for await (const records of recordBatches(dataSource.manager, type, options.batchSize)) {
        await dataSource.transaction(async (manager) => {
          const ids = records.map((r) => type.idOf(r));
          const specs = records.map((r, i) => {
            try {
              return extractReferences(type.schema, type.metadataOf(r));
            } catch (error) {
              // NOTE: an unreadable record gets no index rows and is reported; the others are indexed.
              result.invalid.push({ referrerType: type.name, referrerId: ids[i], reason: (error as Error).message });
              return [];
            }
          });
          if (!options.clear) await index.removeReferrer(manager, type.name, ids);
          await index.insert(manager, ids.map((referrerId, i) => ({ referrerType: type.name, referrerId, specs: specs[i] })));
          result.references += specs.reduce((n, s) => n + s.length, 0);
        });
        result.records += records.length;
        options.onProgress?.(result.records, total);
        if (options.signal?.aborted) return result;
      }
    }
    return result;
  }
}
