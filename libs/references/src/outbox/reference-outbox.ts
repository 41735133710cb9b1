import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager, FindOptionsWhere } from 'typeorm';
import { In, IsNull, Not } from 'typeorm';
import type { ReferencesStatus } from '../interfaces/references-reports.interface.js';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { ReferenceOutboxEntry, type OutboxKind } from './reference-outbox.entity.js';
import { ReferenceSynced } from './reference-synced.entity.js';

/** The columns a new outbox row may set besides its kind and reference. */
export type OutboxRowValues = Partial<
  Pick<ReferenceOutboxEntry, 'newReference' | 'payload' | 'hops' | 'cursor' | 'untilId' | 'version' | 'status' | 'error'>
>;

/**
 * The pending changes that a run of `row` covers, or `undefined` when it covers none but its own.
 * A change of a target's content (not a slice of one) reads the target's current content at every batch,
 * after every other pending change of that target committed: it covers them all. A slice, a rename or a
 * detach covers only itself.
 */
export function coalescedBy(row: Pick<ReferenceOutboxEntry, 'id' | 'kind' | 'reference' | 'version'>): FindOptionsWhere<ReferenceOutboxEntry> | undefined {
  if (row.kind !== 'content' || row.version !== null) return undefined;
  return { kind: 'content', reference: row.reference, status: 'pending', version: IsNull(), id: Not(row.id) };
}

/** The outbox table: the queue mode's record of every propagation to run, and where each one stands. */
@Injectable()
export class ReferenceOutbox {
  constructor(@Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** Writes a row in the transaction of `manager` and returns its id. */
  async add(manager: EntityManager, kind: OutboxKind, reference: string, values: OutboxRowValues = {}): Promise<number> {
    const result = await manager.getRepository(ReferenceOutboxEntry).insert({ kind, reference, status: 'pending', ...values });
    return Number(result.identifiers[0].id);
  }

  find(id: number): Promise<ReferenceOutboxEntry | null> {
    return this.rows().findOneBy({ id });
  }

  /** Marks a row running; a content change also marks done every pending change its run covers. */
  async start(row: ReferenceOutboxEntry): Promise<void> {
    await this.rows().update({ id: row.id }, { status: 'running' });
    const covered = coalescedBy(row);
    if (covered) await this.rows().update(covered, { status: 'done' });
  }

  /** Where a run stands, saved in the transaction of the batch that got there. */
  async saveCursor(manager: EntityManager, id: number, cursor: number): Promise<void> {
    await manager.getRepository(ReferenceOutboxEntry).update({ id }, { cursor });
  }

  async finish(id: number, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.getRepository(ReferenceOutboxEntry).update({ id }, { status: 'done', error: null });
  }

  /**
   * Marks a content row done and, if it was the last open part of its change (the change's own run, or the
   * last of its slices, with no referrer left failed), records the change as synced for its target.
   */
  async finishContent(row: Pick<ReferenceOutboxEntry, 'id' | 'reference' | 'version'>): Promise<void> {
    const version = row.version ?? row.id;
    await this.dataSource.transaction(async (manager) => {
      await this.finish(row.id, manager);
      // NOTE: the change's own row, locked, serialises slices that end at once: the last to commit sees the others done.
      if (this.dataSource.options.type === 'postgres') await manager.query('SELECT "id" FROM "reference_outbox" WHERE "id" = $1 FOR UPDATE', [version]);
      const open = await manager.getRepository(ReferenceOutboxEntry).count({ where: { kind: 'content', version, status: Not('done'), id: Not(row.id) } });
      if (open === 0) await this.recordSynced(manager, row.reference, version);
    });
  }

  /** The newest change whose propagation has reached every inline copy of `reference` (0 if none has). */
  async syncedVersion(manager: EntityManager, reference: string): Promise<number> {
    const synced = await manager.getRepository(ReferenceSynced).findOneBy({ reference });
    return synced?.version ?? 0;
  }

  private async recordSynced(manager: EntityManager, reference: string, version: number): Promise<void> {
    const [sql, parameters] = manager.connection.driver.escapeQueryWithParameters(
      `INSERT INTO "reference_synced" ("reference", "version") VALUES (:reference, :version)
       ON CONFLICT ("reference") DO UPDATE SET "version" =
         CASE WHEN "reference_synced"."version" > excluded."version" THEN "reference_synced"."version" ELSE excluded."version" END`,
      { reference, version },
    );
    await manager.query(sql, parameters);
  }

  async fail(id: number, error: string): Promise<void> {
    await this.rows().update({ id }, { status: 'failed', error: error.slice(0, 2000) });
  }

  /** Ids of pending and running rows, oldest first (what the sweep enqueues again). */
  async unfinished(limit: number): Promise<number[]> {
    if (!this.dataSource.isInitialized) return [];
    const rows = await this.rows().find({
      select: { id: true },
      where: { status: In(['pending', 'running']) },
      order: { id: 'ASC' },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  /** How many rows are pending, running and failed, and the age of the oldest pending one. */
  async status(): Promise<ReferencesStatus> {
    const status: ReferencesStatus = { pending: 0, running: 0, failed: 0, oldestPendingMs: null };
    const counts: Array<{ status: string; n: string }> = await this.rows()
      .createQueryBuilder('o')
      .select('o.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .where('o.status IN (:...open)', { open: ['pending', 'running', 'failed'] })
      .groupBy('o.status')
      .getRawMany();
    for (const row of counts) status[row.status as 'pending' | 'running' | 'failed'] = Number(row.n);
    const oldest = await this.rows().findOne({ where: { status: 'pending' }, order: { id: 'ASC' } });
    if (oldest) status.oldestPendingMs = Math.max(0, Date.now() - oldest.createdAt.getTime());
    return status;
  }

  private rows() {
    return this.dataSource.getRepository(ReferenceOutboxEntry);
  }
}
