import { Controller, Get, Inject, Param, ParseUUIDPipe, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { WriteTokenGuard } from '../auth/write-token.guard.js';
import { ErrorBody } from '../common/error-body.dto.js';
import { createRecordsController } from '../common/records.controller.js';
import type { Representation } from '../common/record-store.js';
import { AgentMetadata } from './agent-metadata.dto.js';
import { AgentsService } from './agents.service.js';

const AgentRecordsController = createRecordsController({
  route: 'agents',
  label: 'agent',
  schemaName: 'Agent',
  store: AgentsService,
  metadata: AgentMetadata,
});

/**
 * `/agents`: artists and workshops, answered as their representation `{ ...metadata, id, links: { self } }`,
 * which leaves out the private `email`; `/agents/:id/private` shows it to a holder of the write token.
 */
@ApiTags('agents')
@Controller('agents')
export class AgentsController extends AgentRecordsController {
  @Inject(AgentsService) private readonly agents: AgentsService;

  @Get(':id/private')
  @UseGuards(WriteTokenGuard)
  @ApiBearerAuth()
  @ApiOkResponse({ description: 'The whole stored agent, its private contact (email) too', type: AgentMetadata })
  @ApiUnauthorizedResponse({ description: 'No `Authorization: Bearer <token>` header, or a wrong token', type: ErrorBody })
  @ApiNotFoundResponse({ description: 'No agent has this id', type: ErrorBody })
  @ApiBadRequestResponse({ description: 'The id is not a uuid', type: ErrorBody })
  getPrivate(@Param('id', ParseUUIDPipe) id: string): Promise<Representation> {
    return this.agents.private(id);
  }
}
