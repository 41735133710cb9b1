import { createRecordsController } from '../common/records.controller.js';
import { TermMetadata } from './term-metadata.dto.js';
import { TermsService } from './terms.service.js';

/** `/terms`: taxonomy terms, answered as `{ ...metadata, id, links: { self } }`. */
export const TermsController = createRecordsController({
  route: 'terms',
  label: 'term',
  schemaName: 'Term',
  store: TermsService,
  metadata: TermMetadata,
});
