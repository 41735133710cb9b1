import { Entity } from 'typeorm';
import { ReferenceEnabled } from 'nestjs-references';
import { CatalogueRecord } from '../database/catalogue-record.entity.js';
import { AgentMetadata } from './agent-metadata.dto.js';

/** An artist or a workshop; artworks inline it among their creators. */
@Entity('agent')
@ReferenceEnabled({ route: 'agents', schema: AgentMetadata })
export class Agent extends CatalogueRecord<AgentMetadata> {}
