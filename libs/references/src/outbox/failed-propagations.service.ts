import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { In, MoreThan } from 'typeorm';
import { InvalidCursorError } from '../errors/references.errors.js';
import type { FailedPropagationsOptions, FailedPropagationsPage } from '../interfaces/references-reports.interface.js';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { ReferenceOutboxEntry } from './reference-outbox.entity.js';

/** Failed rows per page when no limit is given, and at most. */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

/**
 * The propagations that failed for good (queue mode): a referrer that refused its update (a trigger, a check
 * constraint, a row too large), or a whole change whose job ran out of attempts. Listed by page for the
 * operator, and retried without SQL: a retried row is `pending` again and the next sweep enqueues it.
 */
@Injectable()
export class FailedPropagations {
  constructor(@Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** A page of failed propagations, oldest first; `cursor` is the previous page's `nextCursor`. */
  async list(options: FailedPropagationsOptions = {}): Promise<FailedPropagationsPage> {
    const limit = Math.min(MAX_LIMIT, Math.max(1, Math.trunc(options.limit ?? DEFAULT_LIMIT)));
    let after = 0;
    if (options.cursor !== undefined) {
      after = Number(options.cursor);
      if (!/^\d+$/.test(options.cursor) || !Number.isSafeInteger(after)) throw new InvalidCursorError(options.cursor);
    }
    const where = { status: 'failed' as const, id: MoreThan(after), ...(options.reference !== undefined && { reference: options.reference }) };
    const rows = await this.rows().find({ where, order: { id: 'ASC' }, take: limit + 1 });
    const items = rows.slice(0, limit).map((row) => ({
      id: row.id,
      reference: row.reference,
      referrerType: row.referrerType,
      referrerId: row.referrerId,
      path: row.referrerPath,
      reason: row.error,
      attempts: row.attempts,
      since: row.createdAt,
    }));
    return { items, nextCursor: rows.length > limit ? String(items.at(-1)!.id) : null };
  }

  /**
   * Sets these failed rows (or every failed row) back to `pending`, keeping their cursor and range, so that the
   * next sweep enqueues them; returns the ids it reopened (a row that is not failed is left alone).
   */
  async retry(ids: number[] | 'all'): Promise<number[]> {
    const where = ids === 'all' ? { status: 'failed' as const } : { status: 'failed' as const, id: In(ids) };
    if (ids !== 'all' && !ids.length) return [];
    return this.dataSource.transaction(async (manager) => {
      const rows = manager.getRepository(ReferenceOutboxEntry);
      const failed = await rows.find({ select: { id: true }, where, order: { id: 'ASC' } });
      if (!failed.length) return [];
      const reopened = failed.map((row) => row.id);
      await rows.update({ id: In(reopened), status: 'failed' }, { status: 'pending', retryAt: null, leaseUntil: null });
      return reopened;
    });
  }

  private rows() {
    return this.dataSource.getRepository(ReferenceOutboxEntry);
  }
}
