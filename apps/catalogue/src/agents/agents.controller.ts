import { createRecordsController } from '../common/records.controller.js';
import { AgentMetadata } from './agent-metadata.dto.js';
import { AgentsService } from './agents.service.js';

/** `/agents`: artists and workshops, answered as `{ ...metadata, id, links: { self } }`. */
export const AgentsController = createRecordsController({
  route: 'agents',
  label: 'agent',
  schemaName: 'Agent',
  store: AgentsService,
  metadata: AgentMetadata,
});
