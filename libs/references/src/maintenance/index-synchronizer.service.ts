import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { extractReferences } from '../extraction/reference-extractor.util.js';
import type { SynchronizeOptions, SynchronizeResult } from '../interfaces/references-reports.interface.js';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { ReferenceIndex } from '../reverse-index/reference-index.service.js';
import { recordBatches } from './record-batches.util.js';

/** Thrown inside the one transaction of a `clear` run that was aborted: it rolls the run back. */
class SynchronizeAborted extends Error {}

/**
 * Rebuilds the index from the stored records.
 * Without `clear`, each batch commits on its own, so an interrupted run keeps what it did and a re-run
 * completes it. With `clear`, emptying and rebuilding are one transaction: until it commits, every other
 * transaction reads the old index, so a `restrict` delete is still refused and a propagation still finds
 * every referrer; a run that stops rolls back to the old index.
 */
@Injectable()
export class IndexSynchronizer {
  constructor(
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly registry: ReferenceTypesRegistry,
    private readonly index: ReferenceIndex,
  ) {}

  async synchronize(options: SynchronizeOptions & { batchSize: number }): Promise<SynchronizeResult> {
    if (!options.clear) return this.rebuild(this.dataSource.manager, options, (work) => this.dataSource.transaction(work));
    try {
      return await this.dataSource.transaction(async (manager) => {
        // NOTE: DELETE, not TRUNCATE: TRUNCATE would lock every reader out (PostgreSQL) or commit at once (MariaDB).
        await manager.query(`DELETE FROM ${manager.connection.driver.escape('reference_index')}`);
        const result = await this.rebuild(manager, options, (work) => work(manager));
        if (options.signal?.aborted) throw new SynchronizeAborted();
        return result;
      });
    } catch (error) {
      if (error instanceof SynchronizeAborted) return { records: 0, references: 0, invalid: [] };
      throw error;
    }
  }

  /** Indexes every record a batch at a time, each batch in the transaction `inBatch` gives it. */
  private async rebuild(
    manager: EntityManager,
    options: SynchronizeOptions & { batchSize: number },
    inBatch: <T>(work: (manager: EntityManager) => Promise<T>) => Promise<T>,
  ): Promise<SynchronizeResult> {
    const { registry, index } = this;
    let total = 0;
    for (const type of registry.types) total += await manager.count(type.entity as any);
    const result: SynchronizeResult = { records: 0, references: 0, invalid: [] };
    for (const type of registry.types) {
      for await (const records of recordBatches(manager, type, options.batchSize)) {
        await inBatch(async (batch) => {
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
          // NOTE: with clear too: a referrer written since the index was emptied committed its own rows.
          await index.removeReferrer(batch, type.name, ids);
          await index.insert(batch, ids.map((referrerId, i) => ({ referrerType: type.name, referrerId, specs: specs[i] })));
          result.references += specs.reduce((n, s) => n + s.length, 0);
        });
        result.records += records.length;
        await options.onProgress?.(result.records, total);
        if (options.signal?.aborted) return result;
      }
    }
    return result;
  }
}
