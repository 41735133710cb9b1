import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReferencesService } from 'nestjs-references';
import { RecordStore, type Representation } from '../common/record-store.js';
import { Agent } from './agent.entity.js';
import type { AgentMetadata } from './agent-metadata.dto.js';

@Injectable()
export class AgentsService extends RecordStore<AgentMetadata, Agent> {
  constructor(@InjectDataSource() dataSource: DataSource, references: ReferencesService) {
    super(dataSource, references, Agent, 'agent');
  }

  /** The whole stored agent, its private keys too: `{ ...metadata, id, links: { self } }`. */
  async private(id: string): Promise<Representation> {
    const agent = await this.find(this.dataSource.manager, id);
    return { ...agent.metadata, id: agent.id, links: { self: this.references.canonicalUrl(agent) } };
  }
}
