import { describe, expect, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { MariaDbDialect } from './mariadb.dialect.js';
import { PostgresDialect } from './postgres.dialect.js';
import { SqliteDialect } from './sqlite.dialect.js';
import { isTransientError } from './transient-errors.util.js';

/** An error as node-postgres or Node's sockets raise it: a message and a code. */
const coded = (message: string, code: string) => Object.assign(new Error(message), { code });
/** The same, wrapped by TypeORM as a failed query. */
const query = (error: Error) => new QueryFailedError('SELECT 1', [], error);

describe('isTransientError: what a queue worker waits out instead of failing a change', () => {
  const postgres = new PostgresDialect();

  it.each([
    ['a refused connection (server down)', coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset connection', coded('read ECONNRESET', 'ECONNRESET')],
    ['every address of localhost refused', new AggregateError([coded('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], '')],
    ['a connection cut mid query', query(new Error('Connection terminated unexpectedly'))],
    ['a connection timeout of the pool', new Error('timeout exceeded when trying to connect')],
    ['an administrator shutdown', query(coded('terminating connection due to administrator command', '57P01'))],
    ['a server still starting', coded('the database system is starting up', '57P03')],
    ['too many connections', coded('sorry, too many clients already', '53300')],
    ['a connection failure', coded('connection failure', '08006')],
    ['a deadlock', query(coded('deadlock detected', '40P01'))],
    ['a serialization failure', query(coded('could not serialize access', '40001'))],
    ['Redis gone (ioredis)', new Error('Connection is closed.')],
    ['Redis retries exhausted (ioredis)', Object.assign(new Error('Reached the max retries per request limit (which is 20).'), { name: 'MaxRetriesPerRequestError' })],
  ])('waits out %s', (_, error) => {
    expect(isTransientError(error, postgres)).toBe(true);
  });

  it.each([
    ['a unique violation', query(coded('duplicate key value violates unique constraint', '23505'))],
    ["an app's trigger refusing a write", query(coded('this record is frozen', 'P0001'))],
    ['a syntax error', query(coded('syntax error at or near', '42601'))],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('fails on %s', (_, error) => {
    expect(isTransientError(error, postgres)).toBe(false);
  });

  const mysql = (message: string, code: string, errno: number) => query(Object.assign(new Error(message), { code, errno }));
  it.each([
    ['a deadlock', mysql('Deadlock found when trying to get lock; try restarting transaction', 'ER_LOCK_DEADLOCK', 1213)],
    ['a lock wait timeout', mysql('Lock wait timeout exceeded; try restarting transaction', 'ER_LOCK_WAIT_TIMEOUT', 1205)],
    ['a lost connection', coded('Connection lost: The server closed the connection.', 'PROTOCOL_CONNECTION_LOST')],
    ['a server shutting down', mysql('Server shutdown in progress', 'ER_SERVER_SHUTDOWN', 1053)],
    ['too many connections', coded('Too many connections', 'ER_CON_COUNT_ERROR')],
  ])('waits out %s on MariaDB / MySQL (mysql2)', (_, error) => {
    expect(isTransientError(error, new MariaDbDialect(true))).toBe(true);
  });

  it('fails on a duplicate entry on MariaDB / MySQL (mysql2)', () => {
    expect(isTransientError(mysql("Duplicate entry 'x' for key 'slug'", 'ER_DUP_ENTRY', 1062), new MariaDbDialect(true))).toBe(false);
  });

  it('waits out a busy SQLite database', () => {
    expect(isTransientError(query(coded('database is locked', 'SQLITE_BUSY')), new SqliteDialect())).toBe(true);
  });
});
