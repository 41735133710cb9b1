import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogueReferencesModule } from '../references/catalogue-references.module.js';
import { Agent } from './agent.entity.js';
import { AgentsController } from './agents.controller.js';
import { AgentsService } from './agents.service.js';

/** Artists and workshops at `/agents`. */
@Module({
  imports: [TypeOrmModule.forFeature([Agent]), CatalogueReferencesModule],
  controllers: [AgentsController],
  providers: [AgentsService],
  exports: [AgentsService],
})
export class AgentsModule {}
