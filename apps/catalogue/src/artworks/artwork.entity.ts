import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { ReferenceEnabled } from 'nestjs-references';
import { ArtworkMetadata } from './artwork-metadata.dto.js';

/** An object of the collection: inlines terms, links other artworks. */
@Entity('artwork')
@ReferenceEnabled({ route: 'artworks', schema: ArtworkMetadata })
export class Artwork {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // NOTE: jsonb on PostgreSQL; TypeORM 1 stores it as JSON text on SQLite.
  @Column({ type: 'jsonb' })
  metadata: ArtworkMetadata;

  @VersionColumn()
  version: number;
}
