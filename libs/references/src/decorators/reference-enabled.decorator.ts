import { SetMetadata } from '@nestjs/common';
import { REFERENCE_ENABLED_METADATA } from '../references.constants.js';
import type { ReferenceEnabledOptions } from '../interfaces/reference-options.interface.js';

/**
 * Marks a TypeORM entity whose JSON metadata holds references, and makes it a reference target:
 * its inserts, updates and deletes maintain the reverse index and propagate to its referrers.
 *
 * @example
 * @Entity() @ReferenceEnabled({ route: 'artworks', schema: ArtworkMetadata })
 * export class Artwork { @PrimaryGeneratedColumn('uuid') id: string; @Column({ type: 'jsonb' }) metadata: ArtworkMetadata }
 */
export function ReferenceEnabled<T = any>(options: ReferenceEnabledOptions<T>): ClassDecorator {
  return SetMetadata(REFERENCE_ENABLED_METADATA, { metadata: 'metadata', ...options });
}
