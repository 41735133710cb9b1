import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';
import { WriteConflictError } from '../errors/references.errors.js';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { DEFAULT_LOCK_TIMEOUT_MS, REFERENCES_DATA_SOURCE, REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
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
 * Attempts of a transaction whose statement waited for a row lock until the lock timeout: a row held that
 * long (an open transaction elsewhere) is seldom free a moment later, so the writer hears of it after one
 * more wait (two lock timeouts in all, well within the 15 s an HTTP client may be kept waiting) instead of five.
 */
const LOCK_TIMEOUT_ATTEMPTS = 2;

/**
 * Runs write transactions that a collision with concurrent writers does not fail: a deadlock, a
 * serialization failure, a lock timeout or a busy database (SQLite) rolls the attempt back
 * and runs the work again, after a jittered backoff, a bounded number of times. Every statement waits for a
 * row lock at most `lockTimeoutMs`, and a lock wait that times out is tried once more only, so a write that
 * meets a row held by another client answers `WriteConflictError` within two lock timeouts. On SQLite, where TypeORM
 * runs every transaction of a process on one connection, the transactions it runs also take turns.
 */
@Injectable()
export class WriteTransactions {
  private turn: Promise<unknown> = Promise.resolve();

  private readonly lockTimeoutMs: number;

  constructor(
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect,
    @Inject(REFERENCES_MODULE_OPTIONS) options: ReferencesModuleOptions,
  ) {
    this.lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  }

  /** Runs `work` in a transaction, again on a collision; `work` must do nothing outside the transaction it is given. */
  async run<T>(work: (manager: EntityManager) => Promise<T>, options: WriteTransactionOptions = {}): Promise<T> {
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    // NOTE: every statement of the write, its propagation included, waits for a row lock at most lockTimeoutMs.
    const bounded = async (manager: EntityManager) => {
      await this.dialect.boundWaits(manager, { lockTimeoutMs: this.lockTimeoutMs });
      return work(manager);
    };
    for (let attempt = 1, lockTimeouts = 0; ; attempt++) {
      try {
        return await this.inTurn(() =>
          options.isolationLevel ? this.dataSource.transaction(options.isolationLevel, bounded) : this.dataSource.transaction(bounded),
        );
      } catch (error) {
        if (!this.dialect.isWriteConflict(error)) throw error;
        if (this.dialect.isLockTimeout(error)) lockTimeouts++;
        if (attempt >= attempts || lockTimeouts >= Math.min(attempts, LOCK_TIMEOUT_ATTEMPTS)) throw new WriteConflictError(attempt, error as Error);
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
