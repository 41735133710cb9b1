import { Global, Module } from '@nestjs/common';
import { REFERENCES_CLI_PROCESS } from '../references.constants.js';
import { REFERENCES_SUBCOMMANDS, ReferencesCommand } from './references.commands.js';

/**
 * The `references …` commands (nest-commander). Import it into the module an app hands to
 * `CommandFactory.run()`, beside `ReferencesModule.forRoot()`. In queue mode the process then never runs
 * queue workers or the outbox sweep, even with the app's own options: the changes a command makes
 * (`rename`, `refresh`) are enqueued for the app's workers.
 */
@Global()
@Module({
  providers: [
    ReferencesCommand,
    ...REFERENCES_SUBCOMMANDS,
    // NOTE: global, so that the queue workers of ReferencesModule see it.
    { provide: REFERENCES_CLI_PROCESS, useValue: true },
  ],
  exports: [REFERENCES_CLI_PROCESS],
})
export class ReferencesCliModule {}
