import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ReferencesConfigurationError } from './errors/references.errors.js';
import { Dereferencer } from './inline/dereferencer.js';
import { InlineCopies } from './inline/inline-copies.js';
import type {
  ReferencesModuleAsyncOptions,
  ReferencesModuleOptions,
  ReferencesOptionsFactory,
} from './interfaces/references-module-options.interface.js';
import { IndexSynchronizer } from './maintenance/index-synchronizer.js';
import { IndexVerifier } from './maintenance/index-verifier.js';
import { Rebaser } from './maintenance/rebaser.js';
import { Repairer } from './maintenance/repairer.js';
import { ReferenceOutbox } from './outbox/reference-outbox.js';
import { Propagator } from './propagation/propagator.js';
import { ReferrersNotifier } from './propagation/referrers-notifier.js';
import { RecordLoader } from './records/record-loader.js';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_SYNC_BATCH_SIZE,
  REFERENCES_DATA_SOURCE,
  REFERENCES_MODULE_OPTIONS,
} from './references.constants.js';
import { ReferrerJobs } from './referrer-jobs/referrer-jobs.js';
import { ReferenceTypesRegistry } from './registry/reference-types.registry.js';
import { ReferenceIndex } from './reverse-index/reference-index.js';
import { sqlDialectProvider } from './sql/dialect.factory.js';
import { BaseUrlCheck, baseUrlProvider, normalizeBaseUrl } from './settings/base-url.js';
import { databaseIdProvider } from './settings/database-id.js';
import { ReferenceUrls } from './urls/reference-urls.js';
import { TransactionHooks } from './transaction/transaction-hooks.js';
import { WriteTransactions } from './transaction/write-transactions.js';

/** The parts every mode uses, one provider each. */
const PARTS: Provider[] = [
  baseUrlProvider,
  BaseUrlCheck,
  databaseIdProvider,
  ReferenceUrls,
  ReferenceTypesRegistry,
  sqlDialectProvider,
  ReferenceIndex,
  RecordLoader,
  InlineCopies,
  Dereferencer,
  TransactionHooks,
  WriteTransactions,
  ReferrersNotifier,
  Propagator,
  ReferenceOutbox,
  ReferrerJobs,
  IndexSynchronizer,
  IndexVerifier,
  Rebaser,
  Repairer,
];

/**
 * Owns the options, the data source and the library's parts, as providers (so that a test can replace any
 * of them with `overrideProvider`). Global, like `@nestjs/typeorm`'s core module, so that the queue module
 * and `ReferencesModule` find them; an application has no reason to inject them.
 */
@Global()
@Module({})
export class ReferencesCoreModule {
  static forRoot(options: ReferencesModuleOptions): DynamicModule {
    return this.build([{ provide: REFERENCES_MODULE_OPTIONS, useValue: validate(options) }], options.dataSource);
  }

  static forRootAsync(options: ReferencesModuleAsyncOptions): DynamicModule {
    return { ...this.build(this.asyncProviders(options), options.dataSource), imports: options.imports ?? [] };
  }

  private static build(optionProviders: Provider[], dataSource?: string): DynamicModule {
    return {
      module: ReferencesCoreModule,
      providers: [...optionProviders, { provide: REFERENCES_DATA_SOURCE, useExisting: getDataSourceToken(dataSource) }, ...PARTS],
      exports: [REFERENCES_MODULE_OPTIONS, REFERENCES_DATA_SOURCE, ...PARTS],
    };
  }

  private static asyncProviders(options: ReferencesModuleAsyncOptions): Provider[] {
    // NOTE: the queue is registered before any factory runs, so the mode must be known up front.
    const resolved = (built: ReferencesModuleOptions) => {
      const valid = validate(built);
      if (valid.propagation !== (options.propagation ?? 'sync')) {
        throw new ReferencesConfigurationError(
          `ReferencesModule.forRootAsync(): the factory says propagation '${valid.propagation}'; set propagation: '${valid.propagation}' beside the factory too`,
        );
      }
      return valid;
    };
    if (options.useFactory) {
      return [
        {
          provide: REFERENCES_MODULE_OPTIONS,
          useFactory: async (...args: any[]) => resolved(await options.useFactory!(...args)),
          inject: options.inject ?? [],
        },
      ];
    }
    const factoryClass = options.useClass ?? options.useExisting;
    if (!factoryClass) {
      throw new ReferencesConfigurationError('ReferencesModule.forRootAsync() needs useFactory, useClass or useExisting');
    }
    return [
      ...(options.useClass ? [{ provide: options.useClass, useClass: options.useClass }] : []),
      {
        provide: REFERENCES_MODULE_OPTIONS,
        useFactory: async (factory: ReferencesOptionsFactory) => resolved(await factory.createReferencesOptions()),
        inject: [factoryClass],
      },
    ];
  }
}

function validate(options: ReferencesModuleOptions): ReferencesModuleOptions {
  if (options.baseUrl !== undefined) normalizeBaseUrl(options.baseUrl);
  if (options.defaultBaseUrl !== undefined) normalizeBaseUrl(options.defaultBaseUrl, 'defaultBaseUrl');
  for (const alias of options.aliases ?? []) normalizeBaseUrl(alias, 'aliases');
  if (options.baseUrl === undefined && options.defaultBaseUrl === undefined) {
    throw new ReferencesConfigurationError('ReferencesModule: give baseUrl, or defaultBaseUrl for a database that has none stored yet');
  }
  if (options.propagation && options.propagation !== 'sync' && options.propagation !== 'queue') {
    throw new ReferencesConfigurationError(`ReferencesModule: propagation must be 'sync' or 'queue', got "${options.propagation}"`);
  }
  if (options.batchSize !== undefined && !(Number.isInteger(options.batchSize) && options.batchSize > 0)) {
    throw new ReferencesConfigurationError(`ReferencesModule: batchSize must be a positive integer, got ${options.batchSize}`);
  }
  const propagation = options.propagation ?? 'sync';
  return {
    strict: false,
    ...options,
    propagation,
    batchSize: options.batchSize ?? (propagation === 'queue' ? DEFAULT_BATCH_SIZE : DEFAULT_SYNC_BATCH_SIZE),
  };
}
