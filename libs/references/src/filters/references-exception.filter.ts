import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  NonCanonicalReferenceError,
  ReferencedRecordError,
  ReferencesError,
  UnknownReferenceError,
  WriteConflictError,
} from '../errors/references.errors.js';

/**
 * Answers the library's errors with their HTTP status: 400 for malformed references, forbidden keys and
 * references too deep to index, 403 for a refused inline create, 409 `{ message, referrers }` for a
 * restricted delete, 422 for an unknown target, 503 with `Retry-After` for a write that kept colliding
 * with concurrent writers. Register it with `app.useGlobalFilters(new ReferencesExceptionFilter(app.get(HttpAdapterHost)))`
 * or as an `APP_FILTER` provider.
 */
@Catch(ReferencesError)
export class ReferencesExceptionFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: ReferencesError, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const body: Record<string, unknown> = { statusCode: error.status, error: error.name, message: error.message };
    if ('path' in error) body.path = error.path;
    if (error instanceof UnknownReferenceError || error instanceof NonCanonicalReferenceError) body.reference = error.reference;
    if (error instanceof ReferencedRecordError) body.referrers = error.referrers;
    const response = host.switchToHttp().getResponse();
    // NOTE: nothing was written; a client that retries a moment later meets the concurrent writers no more.
    if (error instanceof WriteConflictError) httpAdapter.setHeader(response, 'Retry-After', '1');
    httpAdapter.reply(response, body, error.status);
  }
}
