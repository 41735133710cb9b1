import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogueReferencesModule } from '../references/catalogue-references.module.js';
import { SearchModule } from '../search/search.module.js';
import { Artwork } from './artwork.entity.js';
import { ArtworksController } from './artworks.controller.js';
import { ArtworksService } from './artworks.service.js';

/** Artworks at `/artworks`, searched by `q`. */
@Module({
  imports: [TypeOrmModule.forFeature([Artwork]), CatalogueReferencesModule, SearchModule],
  controllers: [ArtworksController],
  providers: [ArtworksService],
  exports: [ArtworksService],
})
export class ArtworksModule {}
