import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { constants } from 'node:os';

/** How long a graceful stop may take before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 5000;

/**
 * Ctrl-C (SIGINT) and SIGTERM stop the process within a few seconds, whatever state it is in:
 *
 * - while it starts (migrations, the demo set), it exits at once with 128 + the signal's number: each of
 *   those steps is one transaction, so nothing stays half-written, and the next start does them again;
 * - once started, it closes the app (HTTP server, queue, database connections) and exits 0; if that takes
 *   longer than `SHUTDOWN_GRACE_MS` (a server that does not answer holds a connection), it says so and
 *   exits 1;
 * - a second signal exits at once.
 *
 * Instead of Nest's `enableShutdownHooks()`, whose `app.close()` waits as long as a dead connection does.
 */
export function stopOnSignals(logger: LoggerService): { started(app: INestApplicationContext): void } {
  let app: INestApplicationContext | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (!app || stopping) {
      logger.log(`${signal}: stopped ${app ? 'at once' : 'while starting'}`);
      process.exit(128 + constants.signals[signal]);
    }
    stopping = true;
    logger.log(`${signal}: stopping`);
    setTimeout(() => {
      logger.error(`still stopping after ${SHUTDOWN_GRACE_MS / 1000} s (a server that does not answer?): exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`stopping failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { started: (started) => (app = started) };
}
