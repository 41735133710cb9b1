import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { ReferenceEnabled } from 'nestjs-references';
import { JsonDocument } from '../database/json-document.js';
import { AgentMetadata } from './agent-metadata.dto.js';

/** An artist or a workshop; artworks inline it among their creators. */
@Entity('agent')
@ReferenceEnabled({ route: 'agents', schema: AgentMetadata })
export class Agent extends JsonDocument {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // NOTE: jsonb on PostgreSQL and SQLite (binary JSONB), json on MariaDB and MySQL: see JsonDocument.
  @Column({ type: 'json' })
  metadata: AgentMetadata;

  @VersionColumn()
  version: number;
}
