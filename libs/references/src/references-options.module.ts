import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ReferencesConfigurationError } from './errors/references.errors.js';
import type {
  ReferencesModuleAsyncOptions,
  ReferencesModuleOptions,
  ReferencesOptionsFactory,
} from './interfaces/references-module-options.interface.js';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  DEFAULT_SYNC_BATCH_SIZE,
  REFERENCES_MODULE_OPTIONS,
} from './references.constants.js';
import { normalizeBaseUrl } from './settings/base-url.provider.js';

/**
 * The module options of one `ReferencesModule.forRoot()` / `forRootAsync()`, validated, defaults filled in.
 * A module of their own, so that the references module of a data source and its queue share them.
 */
@Module({})
export class ReferencesOptionsModule {
  static forRoot(options: ReferencesModuleOptions): DynamicModule {
    return {
      module: ReferencesOptionsModule,
      providers: [{ provide: REFERENCES_MODULE_OPTIONS, useValue: validate(options) }],
      exports: [REFERENCES_MODULE_OPTIONS],
    };
  }

  static forRootAsync(options: ReferencesModuleAsyncOptions): DynamicModule {
    return {
      module: ReferencesOptionsModule,
      imports: options.imports ?? [],
      providers: this.asyncProviders(options),
      exports: [REFERENCES_MODULE_OPTIONS],
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
      if (valid.propagation === 'queue' && (valid.queue?.driver ?? 'bull') !== (options.queueDriver ?? 'bull')) {
        throw new ReferencesConfigurationError(
          `ReferencesModule.forRootAsync(): the factory says queue.driver '${valid.queue?.driver ?? 'bull'}'; set queueDriver: '${valid.queue?.driver ?? 'bull'}' beside the factory too`,
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
  const driver = options.queue?.driver;
  if (driver !== undefined && driver !== 'bull' && driver !== 'bullmq') {
    throw new ReferencesConfigurationError(`ReferencesModule: queue.driver must be 'bull' or 'bullmq', got "${driver}"`);
  }
  if (options.batchSize !== undefined && !(Number.isInteger(options.batchSize) && options.batchSize > 0)) {
    throw new ReferencesConfigurationError(`ReferencesModule: batchSize must be a positive integer, got ${options.batchSize}`);
  }
  for (const name of ['lockTimeoutMs', 'statementTimeoutMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new ReferencesConfigurationError(`ReferencesModule: ${name} must be a positive integer, got ${value}`);
    }
  }
  const retry = options.queue?.maxTransientRetryMs;
  if (retry !== undefined && !(Number.isInteger(retry) && retry > 0)) {
    throw new ReferencesConfigurationError(`ReferencesModule: queue.maxTransientRetryMs must be a positive integer, got ${retry}`);
  }
  const propagation = options.propagation ?? 'sync';
  return {
    strict: false,
    lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS,
    statementTimeoutMs: DEFAULT_STATEMENT_TIMEOUT_MS,
    ...options,
    propagation,
    batchSize: options.batchSize ?? (propagation === 'queue' ? DEFAULT_BATCH_SIZE : DEFAULT_SYNC_BATCH_SIZE),
  };
}
