import { errorCode, type SqlDialect } from './sql.dialect.js';

/** Socket errors of a server that is down, restarting or unreachable for now (PostgreSQL's or Redis's). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTCONN']);

/**
 * PostgreSQL SQLSTATEs of a server that cannot serve now but will: the connection exceptions (class 08),
 * an administrator or crash shutdown and a server still starting (57P01–57P03), too many connections (53300).
 */
const POSTGRES_UNAVAILABLE = /^(08...|57P0[1-3]|53300)$/;

/** mysql2's codes of a MariaDB / MySQL server gone, shutting down, or out of connections. */
const MYSQL_UNAVAILABLE = new Set(['PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR', 'ER_CONNECTION_KILLED']);

/**
 * What the drivers say, without a code, when a connection goes away: node-postgres ("Connection terminated
 * unexpectedly", "timeout exceeded when trying to connect"), ioredis ("Connection is closed.", and after its
 * retries per request, MaxRetriesPerRequestError).
 */
const UNAVAILABLE_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection is closed|not queryable|reached the max retries per request|connection (?:is )?not (?:yet )?established|the database system is (?:starting up|shutting down)/i;

/**
 * Whether an error will likely not happen again if the same work runs later: a collision with concurrent
 * writers (`SqlDialect.isWriteConflict`: deadlock, serialization failure, lock timeout, busy SQLite), or a
 * server that is unavailable (refused or reset connections, a restart, too many connections). Queue workers
 * retry such errors for as long as they last, without counting them against a change's attempts.
 */
export function isTransientError(error: unknown, dialect: SqlDialect): boolean {
  if (dialect.isWriteConflict(error)) return true;
  for (let cause: unknown = error, depth = 0; cause && depth < 4; depth++) {
    const code = errorCode(cause);
    if (code && (SOCKET_CODES.has(code) || POSTGRES_UNAVAILABLE.test(code) || MYSQL_UNAVAILABLE.has(code))) return true;
    const { message, name, errors } = cause as { message?: unknown; name?: unknown; errors?: unknown };
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    if (name === 'MaxRetriesPerRequestError') return true;
    // NOTE: an AggregateError (Node's connect to every address of 'localhost') carries the socket errors inside.
    if (Array.isArray(errors) && errors.some((inner) => isTransientError(inner, dialect))) return true;
    cause = (cause as { driverError?: unknown; cause?: unknown }).driverError ?? (cause as { cause?: unknown }).cause;
  }
  return false;
}
