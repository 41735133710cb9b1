import { Catch, HttpException, Inject, Injectable, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ReferencesError } from '../errors/references.errors.js';
import { normalisePath } from './explorer-path.util.js';
import type { ExplorerResponse } from './explorer-response.interface.js';
import { errorPage } from './explorer-views.util.js';
import { EXPLORER_CSP, EXPLORER_OPTIONS } from './explorer.constants.js';
import type { ReferencesExplorerOptions } from './references-explorer-options.interface.js';

/** Errors as an HTML page with their status (400 naming the field, 403 for an action without permission). */
@Catch()
@Injectable()
export class ExplorerExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ReferencesExplorer');

  constructor(@Inject(EXPLORER_OPTIONS) private readonly options: ReferencesExplorerOptions) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ExplorerResponse>();
    if (response.headersSent) return;
    let status = 500;
    let message = 'the explorer could not answer; the log says why';
    if (error instanceof ReferencesError) [status, message] = [error.status, error.message];
    else if (error instanceof HttpException) [status, message] = [error.getStatus(), error.message];
    else this.logger.error(`Explorer request failed: ${(error as Error)?.stack ?? error}`);
    response.setHeader('Content-Security-Policy', EXPLORER_CSP);
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.status(status);
    const page = errorPage(normalisePath(this.options.path), status, message);
    if (response.send) response.send(page);
    else response.end?.(page);
  }
}
