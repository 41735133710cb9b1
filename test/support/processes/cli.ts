// The library's commands mounted in a process of their own, as an app mounts them, for the CLI tests.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CommandFactory } from 'nest-commander';
import { ReferencesModule } from 'nestjs-references';
import { ReferencesCliModule } from 'nestjs-references/cli';
import { BASE_URL, TestMirror, TestNode, TestRecord } from '../fixtures.js';

@Module({
  imports: [
    TypeOrmModule.forRoot({ type: 'postgres', url: process.env.CLI_DATABASE_URL, entities: [TestRecord, TestNode, TestMirror], autoLoadEntities: true }),
    // NOTE: no baseUrl: the one stored with the references, as a CLI run without the app's settings finds it.
    ReferencesModule.forRoot({ defaultBaseUrl: BASE_URL, batchSize: 50 }),
    ReferencesCliModule,
  ],
})
class CliModule {}

const fail = (error: Error & { code?: string; exitCode?: number }) => {
  if (error.code?.startsWith('commander.')) process.exit(error.exitCode ?? 1);
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
};
await CommandFactory.run(CliModule, { logger: ['error'], errorHandler: fail, serviceErrorHandler: fail });
