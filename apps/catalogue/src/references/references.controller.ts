import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ReferencesService, type ReferenceRow } from 'nestjs-references';
import { MAX_COUNTED } from '../common/page-query.dto.js';
import { ReferencesQuery } from './references-query.dto.js';

/** The part of the platform's response this controller uses (Express). */
interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

/** `/references`: who references a URL, a page at a time (a target may have a million referrers). */
@ApiTags('references')
@Controller('references')
export class ReferencesController {
  constructor(private readonly references: ReferencesService) {}

  @Get()
  @ApiOkResponse({
    description:
      '[{ referrerType, referrerId, reference, referenceUuid, inline, path }] ordered by reference (code point order), then ' +
      'in the order the references were indexed',
    headers: {
      'X-Next-Cursor': { description: 'The `cursor` of the next page; absent on the last page', schema: { type: 'string' } },
      'X-Total-Count': {
        description: `Rows matching over all pages, counted up to ${MAX_COUNTED}; only on a page without \`cursor\``,
        schema: { type: 'integer' },
      },
      'X-Total-Count-Exact': {
        description: `false when more than X-Total-Count rows match`,
        schema: { type: 'boolean' },
      },
    },
  })
  @ApiBadRequestResponse({ description: 'A bad target, match, limit, offset or cursor (a cursor does not go with offset)' })
  async list(@Query() query: ReferencesQuery, @Res({ passthrough: true }) response: HeaderSink): Promise<ReferenceRow[]> {
    const { target, match, limit, offset, cursor } = query;
    const [page, total] = await Promise.all([
      this.references.getReferrersPage(target, { match, limit, cursor, offset }),
      cursor === undefined ? this.total(target, query) : undefined,
    ]);
    if (page.next) response.setHeader('X-Next-Cursor', page.next);
    if (total !== undefined) setTotal(response, total);
    return page.rows;
  }

  /** The rows matching, counted up to one more than `MAX_COUNTED`. */
  private total(target: string, { match }: ReferencesQuery): Promise<number> {
    return this.references.countReferrers(target, { match, limit: MAX_COUNTED + 1 });
  }
}

function setTotal(response: HeaderSink, counted: number): void {
  response.setHeader('X-Total-Count', String(Math.min(counted, MAX_COUNTED)));
  response.setHeader('X-Total-Count-Exact', String(counted <= MAX_COUNTED));
}
