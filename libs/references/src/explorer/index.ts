// The public surface of `nestjs-references/explorer`. Nothing else is exported.
export { ReferencesExplorerModule } from './references-explorer.module.js';
export type { ExplorerActivityEntry, ExplorerRequest, ReferencesExplorerOptions } from './references-explorer-options.interface.js';
export { ExplorerForbiddenError, ExplorerInputError } from '../errors/references.errors.js';
