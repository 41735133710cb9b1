import { CreateReferenceIndex1764000000000 } from './1764000000000-create-reference-index.js';
import { CreateReferenceOutbox1764000000100 } from './1764000000100-create-reference-outbox.js';
import { AddOutboxSlices1764000000200 } from './1764000000200-add-outbox-slices.js';
import { OutboxCreatedAtWithTimeZone1764000000300 } from './1764000000300-outbox-created-at-with-time-zone.js';
import { CreateReferenceSettings1764000000400 } from './1764000000400-create-reference-settings.js';
import { AddOutboxLease1764000000500 } from './1764000000500-add-outbox-lease.js';
import { CreateReferenceReindex1764000000600 } from './1764000000600-create-reference-reindex.js';
import { SyncVersionsPerTarget1764000000700 } from './1764000000700-sync-versions-per-target.js';
import { ConditionalPropagation1764000000800 } from './1764000000800-conditional-propagation.js';
import { AddOutboxRetries1764000000900 } from './1764000000900-add-outbox-retries.js';

/** Every migration of the library, in order: add them to the data source's `migrations`. */
export const referencesMigrations = [
  CreateReferenceIndex1764000000000,
  CreateReferenceOutbox1764000000100,
  AddOutboxSlices1764000000200,
  OutboxCreatedAtWithTimeZone1764000000300,
  CreateReferenceSettings1764000000400,
  AddOutboxLease1764000000500,
  CreateReferenceReindex1764000000600,
  SyncVersionsPerTarget1764000000700,
  ConditionalPropagation1764000000800,
  AddOutboxRetries1764000000900,
];
