import { Entity } from 'typeorm';
import { ReferenceEnabled } from 'nestjs-references';
import { CatalogueRecord } from '../database/catalogue-record.entity.js';
import { ArtworkMetadata } from './artwork-metadata.dto.js';

/** The route of artworks, and the `referrerType` the library reports them under. */
export const ARTWORKS_ROUTE = 'artworks';

/** An object of the collection: inlines terms, links other artworks. */
@Entity('artwork')
@ReferenceEnabled({ route: ARTWORKS_ROUTE, schema: ArtworkMetadata })
export class Artwork extends CatalogueRecord<ArtworkMetadata> {}
