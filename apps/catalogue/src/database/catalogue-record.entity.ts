import { Column, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { JsonDocument } from './json-document.js';

/**
 * The columns every record type of the catalogue has (terms, agents, artworks): a uuid, the metadata document
 * of type `M`, and the version that TypeORM bumps on each save. Each type is an `@Entity` subclass of its own.
 */
export abstract class CatalogueRecord<M> extends JsonDocument {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // NOTE: jsonb on PostgreSQL and SQLite (binary JSONB), json on MariaDB and MySQL: see JsonDocument.
  @Column({ type: 'json' })
  metadata: M;

  @VersionColumn()
  version: number;
}
