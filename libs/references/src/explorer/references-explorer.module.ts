import { Module, type DynamicModule } from '@nestjs/common';
import { ReferencesConfigurationError } from '../errors/references.errors.js';
import { getReferencesModuleRefToken } from '../references.tokens.js';
import { ExplorerActions } from './explorer-actions.service.js';
import { ExplorerActivity } from './explorer-activity.service.js';
import { ExplorerExceptionFilter } from './explorer-exception.filter.js';
import { ExplorerHeadersInterceptor } from './explorer-headers.interceptor.js';
import { ExplorerReader } from './explorer-reader.service.js';
import { explorerControllerAt } from './explorer.controller.js';
import {
  DEFAULT_EXPLORER_ACTIVITY_KEPT,
  DEFAULT_EXPLORER_MAX_COUNTED,
  DEFAULT_EXPLORER_PAGE_SIZE,
  EXPLORER_OPTIONS,
  EXPLORER_REFERENCES,
} from './explorer.constants.js';
import type { ReferencesExplorerOptions } from './references-explorer-options.interface.js';

/**
 * The references explorer: pages that show, for any record, what it holds (each inline copy current or stale,
 * each link resolved or dangling), who holds it, and what propagation is doing, live. Imported from the
 * subpath `nestjs-references/explorer`, so that an app without it loads none of it. Needs the data source's
 * `ReferencesModule` in the same app.
 *
 * @example
 * ReferencesModule.forRoot({ baseUrl }),
 * ReferencesExplorerModule.forRoot({ path: '/explorer', authorize: (request) => isAdmin(request) }),
 */
@Module({})
export class ReferencesExplorerModule {
  static forRoot(options: ReferencesExplorerOptions): DynamicModule {
    if (typeof options?.path !== 'string' || !options.path.trim()) throw new ReferencesConfigurationError('ReferencesExplorerModule: give the path to mount it at');
    const filled = {
      pageSize: DEFAULT_EXPLORER_PAGE_SIZE,
      maxCounted: DEFAULT_EXPLORER_MAX_COUNTED,
      activityKept: DEFAULT_EXPLORER_ACTIVITY_KEPT,
      ...options,
    };
    return {
      module: ReferencesExplorerModule,
      controllers: [explorerControllerAt(options.path)],
      providers: [
        { provide: EXPLORER_OPTIONS, useValue: filled },
        { provide: EXPLORER_REFERENCES, useExisting: getReferencesModuleRefToken(options.dataSource) },
        ExplorerReader,
        ExplorerActivity,
        ExplorerActions,
        ExplorerHeadersInterceptor,
        ExplorerExceptionFilter,
      ],
    };
  }
}
