import { CreateReferenceIndex1764000000000 } from './1764000000000-create-reference-index.js';

/** Every migration of the library, in order: add them to the data source's `migrations`. */
export const referencesMigrations = [CreateReferenceIndex1764000000000];
