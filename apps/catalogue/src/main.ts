import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ReferencesService } from 'nestjs-references';
import { CatalogueModule } from './app.module.js';
import { setupCatalogue } from './app.setup.js';
import { CatalogueConfigError, loadCatalogueConfig, redact, type CatalogueConfig } from './config/catalogue.config.js';
import { loadDemoData } from './demo/demo-data.js';
import { checkDatabase } from './startup/check-database.js';
import { checkRedis } from './startup/check-redis.js';
import { StartupCheckError } from './startup/startup-check.error.js';
import { stopOnSignals } from './startup/stop-on-signals.js';

const logger = new Logger('Catalogue');

/** How the start line names each queue driver. */
const QUEUE_LIBRARIES = { bull: 'Bull', bullmq: 'BullMQ' } as const;
const stopper = stopOnSignals(logger);

/** `--role worker`: no HTTP server, only the propagation jobs, until the process is stopped. */
async function bootstrapWorker(config: CatalogueConfig): Promise<void> {
  const app = await NestFactory.createApplicationContext(CatalogueModule.forRoot(config), { abortOnError: false });
  stopper.started(app);
  logger.log(`Catalogue worker: processing propagation jobs from ${redact(config.redisUrl!)} (${QUEUE_LIBRARIES[config.queueDriver ?? 'bull']})`);
}

async function bootstrap(config: CatalogueConfig): Promise<void> {
  await checkDatabase(config.database);
  if (config.redisUrl) await checkRedis(config.redisUrl);
  if (config.role === 'worker') return bootstrapWorker(config);
  // NOTE: forceCloseConnections: a client's idle keep-alive connection must not hold up the stop.
  const app = setupCatalogue(
    await NestFactory.create(CatalogueModule.forRoot(config), { abortOnError: false, forceCloseConnections: true }),
  );

  if (config.demo) {
    const loaded = await loadDemoData(app);
    if (loaded) logger.log(`Loaded the demo set: ${loaded.terms} terms, ${loaded.agents} agents, ${loaded.artworks} artworks`);
    else logger.log('The catalogue is not empty: the demo set is not loaded');
  }
  await app.listen(config.port);
  stopper.started(app);

  const where =
    config.database.type === 'better-sqlite3'
      ? `SQLite file ${config.database.database}`
      : config.database.type === 'postgres'
        ? 'PostgreSQL'
        : 'MariaDB / MySQL';
  const queue = `queue mode on ${QUEUE_LIBRARIES[config.queueDriver ?? 'bull']}`;
  const mode = config.redisUrl ? (config.role === 'api' ? `${queue}, API only` : queue) : 'sync mode';
  const base = app.get(ReferencesService).baseUrl;
  logger.log(`Catalogue listening on http://localhost:${config.port} (${where}, ${mode}); base URL ${base}; API documentation at ${base}/docs`);
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
  const message = error instanceof Error ? error.message : String(error);
  console.error(`catalogue: ${error instanceof StartupCheckError ? '' : 'cannot start: '}${message}`);
  process.exit(1);
});
