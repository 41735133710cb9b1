import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { ReferenceEnabled } from 'nestjs-references';
import { JsonDocument } from '../database/json-document.js';
import { TermMetadata } from './term-metadata.dto.js';

/** A taxonomy term (a style period, a technique, …); artworks inline it. */
@Entity('term')
@ReferenceEnabled({ route: 'terms', schema: TermMetadata })
export class Term extends JsonDocument {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // NOTE: jsonb on PostgreSQL and SQLite (binary JSONB), json on MariaDB and MySQL: see JsonDocument.
  @Column({ type: 'json' })
  metadata: TermMetadata;

  @VersionColumn()
  version: number;
}
