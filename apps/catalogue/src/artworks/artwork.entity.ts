import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { ReferenceEnabled } from 'nestjs-references';
import { JsonDocument } from '../database/json-document.js';
import { ArtworkMetadata } from './artwork-metadata.dto.js';

/** The route of artworks, and the `referrerType` the library reports them under. */
export const ARTWORKS_ROUTE = 'artworks';

/** An object of the collection: inlines terms, links other artworks. */
@Entity('artwork')
@ReferenceEnabled({ route: ARTWORKS_ROUTE, schema: ArtworkMetadata })
export class Artwork extends JsonDocument {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // NOTE: jsonb on PostgreSQL and SQLite (binary JSONB), json on MariaDB and MySQL: see JsonDocument.
  @Column({ type: 'json' })
  metadata: ArtworkMetadata;

  @VersionColumn()
  version: number;
}
