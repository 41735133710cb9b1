import { CreateReferenceIndex1764000000000 } from './1764000000000-create-reference-index.js';
import { CreateReferenceOutbox1764000000100 } from './1764000000100-create-reference-outbox.js';
import { AddOutboxSlices1764000000200 } from './1764000000200-add-outbox-slices.js';
import { CreateReferenceSettings1764000000300 } from './1764000000300-create-reference-settings.js';
import { SyncVersionsPerTarget1764000000400 } from './1764000000400-sync-versions-per-target.js';

/** Every migration of the library, in order: add them to the data source's `migrations`. */
export const referencesMigrations = [
  CreateReferenceIndex1764000000000,
  CreateReferenceOutbox1764000000100,
  AddOutboxSlices1764000000200,
  CreateReferenceSettings1764000000300,
  SyncVersionsPerTarget1764000000400,
];
