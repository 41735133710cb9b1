import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { ReferenceEnabled } from 'nestjs-references';
import { TermMetadata } from './term-metadata.dto.js';

/** A taxonomy term (a style period, a technique, …); artworks inline it. */
@Entity('term')
@ReferenceEnabled({ route: 'terms', schema: TermMetadata })
export class Term {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // NOTE: jsonb on PostgreSQL; on SQLite TypeORM 1 stores SQLite's binary JSONB (jsonb()) and reads it back with json().
  @Column({ type: 'jsonb' })
  metadata: TermMetadata;

  @VersionColumn()
  version: number;
}
