import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { ReferencesCliModule } from 'nestjs-references/cli';
import { CatalogueModule } from './app.module.js';
import { CatalogueConfigError, loadCatalogueConfig, type CatalogueConfig } from './config/catalogue.config.js';
import { ReindexSearchCommand } from './search/reindex-search.command.js';
import { checkDatabase } from './startup/check-database.js';

// `node apps/catalogue/dist/cli.js references synchronize|verify|referrers|rename|refresh …`:
// the library's maintenance commands over the catalogue's database (same environment as main.ts);
// `node apps/catalogue/dist/cli.js search-reindex`: the catalogue's own, rebuilds the artwork search index.
let config: CatalogueConfig;
try {
  config = loadCatalogueConfig(process.env, []);
} catch (error) {
  if (!(error instanceof CatalogueConfigError)) throw error;
  console.error(`catalogue: ${error.message}`);
  process.exit(1);
}

// A missing database or a refused connection: one line, as main.ts says it (TypeORM would retry with stack traces).
await checkDatabase(config.database).catch((error: Error) => {
  console.error(`catalogue: ${error.message}`);
  process.exit(1);
});

@Module({ imports: [CatalogueModule.forRoot(config), ReferencesCliModule], providers: [ReindexSearchCommand] })
class CatalogueCliModule {}

const fail = (error: Error & { code?: string; exitCode?: number }) => {
  // NOTE: commander has printed its own usage errors and --help already: exit with its code, say nothing more.
  if (error.code?.startsWith('commander.')) process.exit(error.exitCode ?? 1);
  console.error(`catalogue: ${error.message}`);
  process.exit(1);
};
await CommandFactory.run(CatalogueCliModule, { logger: ['error'], errorHandler: fail, serviceErrorHandler: fail });
