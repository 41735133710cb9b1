import { Injectable } from '@nestjs/common';
import { ReferencesService, type ReferenceMatch, type ReferenceRow } from 'nestjs-references';
import { MAX_COUNTED } from '../common/page-query.dto.js';
import { cappedTotal, pageOf, type Page } from '../common/page.dto.js';
import { ReferenceIndexRow } from '../common/reference-index-row.dto.js';
import type { ReferrersQuery } from './referrers-query.dto.js';

/** The OpenAPI schema of a page of referrers. */
export const ReferrerPage = pageOf(ReferenceIndexRow, 'ReferrerPage');

/** Pages of the reverse index in the catalogue's list shape, for `/references` and `/<type>/:id/referrers`. */
@Injectable()
export class ReferrerPages {
  constructor(private readonly references: ReferencesService) {}

  /**
   * A page of the referrers of `target`; on a page without a cursor, the rows matching over all pages,
   * counted up to `MAX_COUNTED` (a target may have a million referrers, and a count reads each row it counts).
   */
  async page(target: string, query: ReferrersQuery & { match?: ReferenceMatch }): Promise<Page<ReferenceRow>> {
    const { match = 'exact', limit, offset, cursor } = query;
    const [page, counted] = await Promise.all([
      this.references.getReferrersPage(target, { match, limit, cursor, offset }),
      cursor === undefined ? this.references.countReferrers(target, { match, limit: MAX_COUNTED + 1 }) : undefined,
    ]);
    return { items: page.rows, next: page.next, ...(counted !== undefined && cappedTotal(counted)) };
  }
}
