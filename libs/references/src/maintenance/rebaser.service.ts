import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { normalizeBaseUrl } from '../settings/base-url.provider.js';
import { ReferenceSetting } from '../settings/reference-setting.entity.js';
import type { RebaseOptions, RebaseResult } from '../interfaces/references-reports.interface.js';
import { BASE_URL_SETTING, REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { SqlDialect } from '../sql/sql.dialect.js';
import { ReferenceUrls } from '../urls/reference-urls.service.js';
import { recordIdBatches } from './record-batches.util.js';

/**
 * Moves the stored references to a new base URL (`references rebase`): every URL under the old base in
 * every document (links, inline copies, their nested copies), in the reverse index and in the outbox, then
 * the stored base URL itself. Set-based, a committed batch at a time; a rewritten document no longer holds
 * the old base, so a run stopped at any point (Ctrl-C, a crash) is finished by running it again.
 * Run it with every other process of the app stopped: they would go on writing the old base URL.
 */
@Injectable()
export class Rebaser {
  constructor(
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly urls: ReferenceUrls,
    private readonly registry: ReferenceTypesRegistry,
    private readonly dialect: SqlDialect,
  ) {}

  async rebase(newBaseUrl: string, options: RebaseOptions & { batchSize: number }): Promise<RebaseResult> {
    const from = this.urls.baseUrl;
    const to = normalizeBaseUrl(newBaseUrl, 'the new base URL');
    const result: RebaseResult = { from, to, records: 0, references: 0, done: false };
    if (from === to) return { ...result, done: true };
    const manager = this.dataSource.manager;
    let total = 0;
    for (const type of this.registry.types) total += await manager.count(type.entity as any, { withDeleted: true });
    let seen = 0;
    // NOTE: a URL under the base starts a JSON string: `"http://old/…`; the trailing slash keeps `http://old2` apart.
    for (const type of this.registry.types) {
      for await (const ids of recordIdBatches(manager, type, options.batchSize)) {
        result.records += await this.dataSource.transaction((tx) => this.dialect.replaceInDocuments(tx, type, ids, `"${from}/`, `"${to}/`));
        seen += ids.length;
        options.onProgress?.(seen, total);
        if (options.signal?.aborted) return result;
      }
    }
    for (;;) {
      const moved = await this.dataSource.transaction((tx) => this.moveIndexRows(tx, `${from}/`, `${to}/`, options.batchSize));
      result.references += moved;
      if (moved < options.batchSize) break;
      if (options.signal?.aborted) return result;
    }
    await this.dataSource.transaction(async (tx) => {
      for (const column of ['reference', 'new_reference']) {
        const condition = this.dialect.prefixCondition(`"${column}"`, `${from}/`);
        const [sql, parameters] = tx.connection.driver.escapeQueryWithParameters(
          this.dialect.identifiers(`UPDATE "reference_outbox" SET "${column}" = replace("${column}", :from, :to) WHERE ${condition.sql}`),
          { ...condition.parameters, from: `${from}/`, to: `${to}/` },
        );
        await tx.query(sql, parameters);
      }
      // NOTE: queue mode's synced versions only let a run be skipped: dropped under the old base, never wrong.
      const synced = this.dialect.prefixCondition('"reference"', `${from}/`);
      const [sql, parameters] = tx.connection.driver.escapeQueryWithParameters(
        this.dialect.identifiers(`DELETE FROM "reference_synced" WHERE ${synced.sql}`),
        synced.parameters,
      );
      await tx.query(sql, parameters);
      await tx.getRepository(ReferenceSetting).update({ key: BASE_URL_SETTING }, { value: to });
    });
    return { ...result, done: true };
  }

  /** The next batch of index rows under `from`, moved under `to`; returns how many. */
  private async moveIndexRows(manager: EntityManager, from: string, to: string, limit: number): Promise<number> {
    const condition = this.dialect.prefixCondition('"reference"', from);
    const [select, selectParameters] = manager.connection.driver.escapeQueryWithParameters(
      this.dialect.identifiers(`SELECT "id" FROM "reference_index" WHERE ${condition.sql} ORDER BY "id" LIMIT :limit`),
      { ...condition.parameters, limit },
    );
    const ids = ((await manager.query(select, selectParameters)) as Array<{ id: number | string }>).map((row) => Number(row.id));
    if (!ids.length) return 0;
    const list = this.dialect.inList('"id"', 'ids', ids as unknown as string[]);
    const [update, updateParameters] = manager.connection.driver.escapeQueryWithParameters(
      this.dialect.identifiers(`UPDATE "reference_index" SET "reference" = replace("reference", :from, :to) WHERE ${list.sql}`),
      { ...list.parameters, from, to },
    );
    await manager.query(update, updateParameters);
    return ids.length;
  }
}
