import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReferencesService } from 'nestjs-references';
import { RecordStore } from '../common/record-store.js';
import { Term } from './term.entity.js';
import type { TermMetadata } from './term-metadata.dto.js';

@Injectable()
export class TermsService extends RecordStore<TermMetadata, Term> {
  constructor(@InjectDataSource() dataSource: DataSource, references: ReferencesService) {
    super(dataSource, references, Term, 'term');
  }
}
