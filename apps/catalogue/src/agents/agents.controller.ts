import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { WriteTokenGuard } from '../auth/write-token.guard.js';
import { WriteAccess } from '../auth/write-access.decorator.js';
import { REFERRERS_AFTER_PUT } from '../common/api-docs.js';
import { PageQuery } from '../common/page-query.dto.js';
import type { Page, Representation } from '../common/record-store.js';
import { AgentMetadata } from './agent-metadata.dto.js';
import { AgentsService } from './agents.service.js';

/** `/agents`: artists and workshops, answered as their representation `{ ...metadata, id, links: { self } }` without the private `email`. */
@ApiTags('agents')
@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  @ApiOkResponse({ description: 'A page of agents: { items, total }' })
  list(@Query() page: PageQuery): Promise<Page> {
    return this.agents.list(page);
  }

  @Get(':id')
  @ApiOkResponse({ description: 'The agent' })
  @ApiNotFoundResponse({ description: 'No agent has this id' })
  @ApiBadRequestResponse({ description: 'The id is not a uuid' })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<Representation> {
    return this.agents.get(id);
  }

  @Get(':id/private')
  @UseGuards(WriteTokenGuard)
  @ApiBearerAuth()
  @ApiOkResponse({ description: 'The whole stored agent, its private contact (email) too' })
  @ApiUnauthorizedResponse({ description: 'No `Authorization: Bearer <token>` header, or a wrong token' })
  @ApiNotFoundResponse({ description: 'No agent has this id' })
  @ApiBadRequestResponse({ description: 'The id is not a uuid' })
  getPrivate(@Param('id', ParseUUIDPipe) id: string): Promise<Representation> {
    return this.agents.private(id);
  }

  @Post()
  @WriteAccess()
  @ApiCreatedResponse({ description: 'The new agent' })
  @ApiBadRequestResponse({ description: 'The metadata is invalid; the message names the field' })
  @ApiUnprocessableEntityResponse({ description: 'A reference names a local record that does not exist' })
  create(@Body() metadata: AgentMetadata): Promise<Representation> {
    return this.agents.create(metadata);
  }

  @Put(':id')
  @WriteAccess()
  @ApiOkResponse({ description: `The agent with its new metadata. ${REFERRERS_AFTER_PUT}` })
  @ApiNotFoundResponse({ description: 'No agent has this id' })
  @ApiBadRequestResponse({ description: 'The metadata is invalid; the message names the field' })
  @ApiUnprocessableEntityResponse({ description: 'A reference names a local record that does not exist' })
  replace(@Param('id', ParseUUIDPipe) id: string, @Body() metadata: AgentMetadata): Promise<Representation> {
    return this.agents.replace(id, metadata);
  }

  @Delete(':id')
  @WriteAccess()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No agent has this id' })
  @ApiConflictResponse({ description: 'Referrers restrict the delete: { message, referrers }; nothing was deleted' })
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.agents.remove(id);
  }
}
