import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogueReferencesModule } from '../references/catalogue-references.module.js';
import { Term } from './term.entity.js';
import { TermsController } from './terms.controller.js';
import { TermsService } from './terms.service.js';

/** Taxonomy terms at `/terms`. */
@Module({
  imports: [TypeOrmModule.forFeature([Term]), CatalogueReferencesModule],
  controllers: [TermsController],
  providers: [TermsService],
  exports: [TermsService],
})
export class TermsModule {}
