import { Entity } from 'typeorm';
import { ReferenceEnabled } from 'nestjs-references';
import { CatalogueRecord } from '../database/catalogue-record.entity.js';
import { TermMetadata } from './term-metadata.dto.js';

/** A taxonomy term (a style period, a technique, …); artworks inline it. */
@Entity('term')
@ReferenceEnabled({ route: 'terms', schema: TermMetadata })
export class Term extends CatalogueRecord<TermMetadata> {}
