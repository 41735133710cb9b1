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
import type { Page, Representation } from '../common/record-store.js';
import { ArtworkListQuery } from './artwork-list-query.dto.js';
import { ArtworkMetadata } from './artwork-metadata.dto.js';
import { ArtworksService } from './artworks.service.js';

/** `/artworks`: artworks, answered as `{ ...metadata, id, links: { self } }`. */
@ApiTags('artworks')
@Controller('artworks')
export class ArtworksController {
  constructor(private readonly artworks: ArtworksService) {}

  @Get()
  @ApiOkResponse({
    description:
      'A page of artworks in the order of their ids: { items, next, total, totalExact }; with q, the artworks that match, ' +
      'best first, { items, total, totalExact }, paged by offset',
    schema: pageSchema(),
  })
  @ApiBadRequestResponse({
    description: 'A bad limit, offset, cursor or q (q needs a letter or digit, at most 200 characters; a cursor goes with neither offset nor q)',
  })
  list(@Query() query: ArtworkListQuery): Promise<Page> {
    return this.artworks.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ description: 'The artwork' })
  @ApiNotFoundResponse({ description: 'No artwork has this id' })
  @ApiBadRequestResponse({ description: 'The id is not a uuid' })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<Representation> {
    return this.artworks.get(id);
  }

  @Post()
  @WriteAccess()
  @ApiCreatedResponse({ description: 'The new artwork' })
  @ApiBadRequestResponse({ description: 'The metadata is invalid; the message names the field' })
  @ApiUnprocessableEntityResponse({ description: 'A reference names a local record that does not exist' })
  create(@Body() metadata: ArtworkMetadata): Promise<Representation> {
    return this.artworks.create(metadata);
  }

  @Put(':id')
  @WriteAccess()
  @ApiOkResponse({ description: `The artwork with its new metadata. ${REFERRERS_AFTER_PUT}` })
  @ApiNotFoundResponse({ description: 'No artwork has this id' })
  @ApiBadRequestResponse({ description: 'The metadata is invalid; the message names the field' })
  @ApiUnprocessableEntityResponse({ description: 'A reference names a local record that does not exist' })
  replace(@Param('id', ParseUUIDPipe) id: string, @Body() metadata: ArtworkMetadata): Promise<Representation> {
    return this.artworks.replace(id, metadata);
  }

  @Delete(':id')
  @WriteAccess()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No artwork has this id' })
  @ApiConflictResponse({ description: 'Referrers restrict the delete: { message, referrers }; nothing was deleted' })
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.artworks.remove(id);
  }
}
