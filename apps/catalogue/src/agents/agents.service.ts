import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReferencesService } from 'nestjs-references';
import { RecordStore } from '../common/record-store.js';
import { Agent } from './agent.entity.js';
import type { AgentMetadata } from './agent-metadata.dto.js';

@Injectable()
export class AgentsService extends RecordStore<AgentMetadata, Agent> {
  constructor(@InjectDataSource() dataSource: DataSource, references: ReferencesService) {
    super(dataSource, references, Agent, 'agent');
  }
}
