import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { WriteAccess } from '../auth/write-access.decorator.js';
import { REFERRERS_AFTER_PUT, pageSchema } from '../common/api-docs.js';
import { RecordPageQuery } from '../common/record-page-query.dto.js';
import type { Page, Representation } from '../common/record-store.js';
import { TermMetadata } from './term-metadata.dto.js';
import { TermsService } from './terms.service.js';

/** `/terms`: terms, answered as `{ ...metadata, id, links: { self } }`. */
@ApiTags('terms')
@Controller('terms')
export class TermsController {
  constructor(private readonly terms: TermsService) {}

  @Get()
  @ApiOkResponse({ description: 'A page of terms in the order of their ids: { items, next, total, totalExact }', schema: pageSchema() })
  @ApiBadRequestResponse({ description: 'A bad limit, offset or cursor (a cursor does not go with offset)' })
  list(@Query() page: RecordPageQuery): Promise<Page> {
    return this.terms.list(page);
  }

  @Get(':id')
  @ApiOkResponse({ description: 'The term' })
  @ApiNotFoundResponse({ description: 'No term has this id' })
  @ApiBadRequestResponse({ description: 'The id is not a uuid' })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<Representation> {
    return this.terms.get(id);
  }

  @Post()
  @WriteAccess()
  @ApiCreatedResponse({ description: 'The new term' })
  @ApiBadRequestResponse({ description: 'The metadata is invalid; the message names the field' })
  @ApiUnprocessableEntityResponse({ description: 'A reference names a local record that does not exist' })
  create(@Body() metadata: TermMetadata): Promise<Representation> {
    return this.terms.create(metadata);
  }

  @Put(':id')
  @WriteAccess()
  @ApiOkResponse({ description: `The term with its new metadata. ${REFERRERS_AFTER_PUT}` })
  @ApiNotFoundResponse({ description: 'No term has this id' })
  @ApiBadRequestResponse({ description: 'The metadata is invalid; the message names the field' })
  @ApiUnprocessableEntityResponse({ description: 'A reference names a local record that does not exist' })
  replace(@Param('id', ParseUUIDPipe) id: string, @Body() metadata: TermMetadata): Promise<Representation> {
    return this.terms.replace(id, metadata);
  }

  @Delete(':id')
  @WriteAccess()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No term has this id' })
  @ApiConflictResponse({ description: 'Referrers restrict the delete: { message, referrers }; nothing was deleted' })
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.terms.remove(id);
  }
}
