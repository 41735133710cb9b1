import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ReferencesService, type ReferenceRow } from 'nestjs-references';
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
    description: '[{ referrerType, referrerId, reference, referenceUuid, inline, path }] in a stable order',
    headers: { 'X-Total-Count': { description: 'Rows matching, over all pages', schema: { type: 'integer' } } },
  })
  async list(@Query() query: ReferencesQuery, @Res({ passthrough: true }) response: HeaderSink): Promise<ReferenceRow[]> {
    const { target, match, limit, offset } = query;
    const [rows, total] = await Promise.all([
      this.references.getReferrers(target, { match, limit, offset }),
      this.references.countReferrers(target, { match }),
    ]);
    response.setHeader('X-Total-Count', String(total));
    return rows;
  }
}
