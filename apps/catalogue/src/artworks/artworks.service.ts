import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReferencesService } from 'nestjs-references';
import { RecordStore } from '../common/record-store.js';
import { Artwork } from './artwork.entity.js';
import type { ArtworkMetadata } from './artwork-metadata.dto.js';

@Injectable()
export class ArtworksService extends RecordStore<ArtworkMetadata, Artwork> {
  constructor(@InjectDataSource() dataSource: DataSource, references: ReferencesService) {
    super(dataSource, references, Artwork, 'artwork');
  }
}
