import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';
import { WriteConflictError } from '../errors/references.errors.js';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { SqlDialect } from '../sql/sql.dialect.js';

/** Options of `ReferencesService.transaction()`. */
export interface WriteTransactionOptions {
  /**
   * Attempts before a collision with concurrent writers becomes a `WriteConflictError`.
   * @default 5
   */
  attempts?: number;
  /** The isolation level of each attempt. @default the data source's */
  isolationLevel?: IsolationLevel;
}

const DEFAULT_ATTEMPTS = 5;
/** First backoff between attempts; it doubles each time, with full jitter (0 to the cap), up to MAX. */
const BASE_BACKOFF_MS = 20;
const MAX_BACKOFF_MS = 1000;

/**
 * Runs write transactions that a collision with concurrent writers does not fail: a deadlock, a
 * serialization failure, a lock timeout (PostgreSQL) or a busy database (SQLite) rolls the attempt back
 * and runs the work again, after a jittered backoff, a bounded number of times. On SQLite, where TypeORM
 * runs every transaction of a process on one connection, the transactions it runs also take turns.
 */
@Injectable()
export class WriteTransactions {
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect,
  ) {}

  /** Runs `work` in a transaction, again on a collision; `work` must do nothing outside the transaction it is given. */
  async run<T>(work: (manager: EntityManager) => Promise<T>, options: WriteTransactionOptions = {}): Promise<T> {
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.inTurn(() =>
          options.isolationLevel ? this.dataSource.transaction(options.isolationLevel, work) : this.dataSource.transaction(work),
        );
      } catch (error) {
        if (!this.dialect.isWriteConflict(error)) throw error;
        if (attempt >= attempts) throw new WriteConflictError(attempt, error as Error);
        const cap = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
      }
    }
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (!this.dialect.oneConnection) return work();
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }
}
