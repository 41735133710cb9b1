import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { ReferenceRow } from 'nestjs-references';
import { ErrorBody } from '../common/error-body.dto.js';
import type { Page } from '../common/page.dto.js';
import { ReferencesQuery } from './references-query.dto.js';
import { ReferrerPage, ReferrerPages } from './referrer-pages.service.js';

/** `/references`: who references a URL, a page at a time (a target may have a million referrers). */
@ApiTags('references')
@Controller('references')
export class ReferencesController {
  constructor(private readonly referrers: ReferrerPages) {}

  @Get()
  @ApiOkResponse({
    description:
      'A page of the index rows referencing target, { items, next, total, totalExact }, ordered by reference (code point ' +
      'order), then in the order the references were indexed',
    type: ReferrerPage,
  })
  @ApiBadRequestResponse({ description: 'A bad target, match, limit, offset or cursor (a cursor does not go with offset)', type: ErrorBody })
  list(@Query() query: ReferencesQuery): Promise<Page<ReferenceRow>> {
    return this.referrers.page(query.target, query);
  }
}
