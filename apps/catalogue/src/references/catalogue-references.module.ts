import { Module } from '@nestjs/common';
import { ReferencesController } from './references.controller.js';
import { ReferrerPages } from './referrer-pages.service.js';
import { ReferrersUpdatedListener } from './referrers-updated.listener.js';

/** The reverse index over HTTP (`/references`, and the pages of referrers that each record type serves). */
@Module({
  controllers: [ReferencesController],
  providers: [ReferrerPages, ReferrersUpdatedListener],
  exports: [ReferrerPages],
})
export class CatalogueReferencesModule {}
