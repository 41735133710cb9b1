import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { ReferenceEnabled } from 'nestjs-references';
import { AgentMetadata } from './agent-metadata.dto.js';

/** An artist or a workshop; artworks inline it among their creators. */
@Entity('agent')
@ReferenceEnabled({ route: 'agents', schema: AgentMetadata })
export class Agent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // NOTE: jsonb on PostgreSQL; on SQLite TypeORM 1 stores SQLite's binary JSONB (jsonb()) and reads it back with json().
  @Column({ type: 'jsonb' })
  metadata: AgentMetadata;

  @VersionColumn()
  version: number;
}
