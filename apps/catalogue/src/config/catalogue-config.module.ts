import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CATALOGUE_CONFIG, type CatalogueConfig } from './catalogue.config.js';

/** The `CatalogueConfig` under `CATALOGUE_CONFIG`, for every feature module (the write guard of each reads the token). */
@Global()
@Module({})
export class CatalogueConfigModule {
  static forRoot(config: CatalogueConfig): DynamicModule {
    return {
      module: CatalogueConfigModule,
      providers: [{ provide: CATALOGUE_CONFIG, useValue: config }],
      exports: [CATALOGUE_CONFIG],
    };
  }
}
