import { Catch, HttpStatus, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/** Seconds a client is asked to wait before it tries again (`Retry-After`). */
const RETRY_AFTER_SECONDS = 5;

// Socket errors of a connection that cannot be made or was cut.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// PostgreSQL: shutting down, crashed, starting up, too many connections (class 08 is matched by prefix).
const POSTGRES_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
// What node-postgres says when the server goes away mid-query or the pool cannot connect in time.
const POSTGRES_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

/** Whether an error, or the driver error it wraps, says the database cannot be reached (rather than a bad query). */
export function isConnectionError(error: unknown): boolean {
  for (let e: any = error, depth = 0; e && depth < 4; e = e.driverError ?? e.cause, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (NETWORK_CODES.has(code) || POSTGRES_CODES.has(code) || /^08...$/.test(code)) return true;
    if (typeof e.message === 'string' && POSTGRES_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/**
 * Any request that fails because the database cannot be reached answers 503 with `Retry-After` and one
 * warning line in the log, instead of a 500 and a stack trace per request; every other error is left to
 * Nest's default handling. Registered as the first `APP_FILTER`, so that the more specific filters
 * (Nest tries the last registered first) see their errors before it.
 */
@Catch()
export class DatabaseUnavailableFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('Database');

  override catch(error: unknown, host: ArgumentsHost): void {
    if (!isConnectionError(error)) return super.catch(error, host);
    this.logger.warn(`database unavailable: ${(error as Error).message}`);
    const { httpAdapter } = this.httpAdapterHost!;
    const response = host.switchToHttp().getResponse();
    httpAdapter.setHeader(response, 'Retry-After', String(RETRY_AFTER_SECONDS));
    httpAdapter.reply(
      response,
      { statusCode: HttpStatus.SERVICE_UNAVAILABLE, error: 'Service Unavailable', message: 'The database is unavailable; try again later' },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
}
