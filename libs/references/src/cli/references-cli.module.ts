import { Module } from '@nestjs/common';
import {
  ReferencesCommand,
  ReferrersCommand,
  RebaseCommand,
  RepairCommand,
  RefreshCommand,
  RenameCommand,
  SynchronizeCommand,
  VerifyCommand,
} from './references.commands.js';

/**
 * The `references …` commands (nest-commander). Import it into the module an app hands to
 * `CommandFactory.run()`, beside `ReferencesModule.forRoot()`.
 */
@Module({
  providers: [ReferencesCommand, SynchronizeCommand, VerifyCommand, ReferrersCommand, RenameCommand, RefreshCommand, RebaseCommand, RepairCommand],
})
export class ReferencesCliModule {}
