import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CatalogueModule } from './app.module.js';
import { setupCatalogue } from './app.setup.js';
import { CatalogueConfigError, loadCatalogueConfig, redact, type CatalogueConfig } from './config/catalogue.config.js';
import { loadDemoData } from './demo/demo-data.js';

/** `--role worker`: no HTTP server, only the propagation jobs, until the process is stopped. */
async function bootstrapWorker(config: CatalogueConfig): Promise<void> {
  const app = await NestFactory.createApplicationContext(CatalogueModule.forRoot(config), { abortOnError: false });
  app.enableShutdownHooks();
  new Logger('Catalogue').log(`Catalogue worker: processing propagation jobs from ${redact(config.redisUrl!)}`);
}

async function bootstrap(config: CatalogueConfig): Promise<void> {
  const logger = new Logger('Catalogue');
  if (config.database.type === 'better-sqlite3') mkdirSync(dirname(config.database.database), { recursive: true });
  if (config.role === 'worker') return bootstrapWorker(config);
  const app = setupCatalogue(await NestFactory.create(CatalogueModule.forRoot(config), { abortOnError: false }));
  app.enableShutdownHooks();

  if (config.demo) {
    const loaded = await loadDemoData(app);
    if (loaded) logger.log(`Loaded the demo set: ${loaded.terms} terms, ${loaded.artworks} artworks`);
  }
  await app.listen(config.port);

  const where =
    config.database.type === 'better-sqlite3'
      ? `SQLite file ${config.database.database}`
      : config.database.type === 'postgres'
        ? 'PostgreSQL'
        : 'MariaDB / MySQL';
  const mode = config.redisUrl ? (config.role === 'api' ? 'queue mode, API only' : 'queue mode') : 'sync mode';
  logger.log(`Catalogue on ${config.baseUrl} (${where}, ${mode}); API documentation at ${config.baseUrl}/docs`);
  if (config.tokenGenerated) {
    logger.log(`No CATALOGUE_TOKEN set; the write token for this run is: ${config.token}`);
  }
}

let config: CatalogueConfig;
try {
  config = loadCatalogueConfig();
} catch (error) {
  if (!(error instanceof CatalogueConfigError)) throw error;
  console.error(`catalogue: ${error.message}`);
  process.exit(1);
}
bootstrap(config).catch((error: unknown) => {
  console.error(`catalogue: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
