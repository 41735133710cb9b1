import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { ReferenceEnabled } from 'nestjs-references';
import { ArtworkMetadata } from './artwork-metadata.dto.js';

/** The route of artworks, and the `referrerType` the library reports them under. */
export const ARTWORKS_ROUTE = 'artworks';

/** An object of the collection: inlines terms, links other artworks. */
@Entity('artwork')
@ReferenceEnabled({ route: ARTWORKS_ROUTE, schema: ArtworkMetadata })
export class Artwork {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // NOTE: jsonb on PostgreSQL; on SQLite TypeORM 1 stores SQLite's binary JSONB (jsonb()) and reads it back with json().
  @Column({ type: 'jsonb' })
  metadata: ArtworkMetadata;

  @VersionColumn()
  version: number;
}
