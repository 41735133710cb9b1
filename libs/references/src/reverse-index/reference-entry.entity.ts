import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { OnDeletePolicy } from '../interfaces/reference-options.interface.js';

/**
 * One row of the reverse index: record `referrerType/referrerId` references `reference` at `path`.
 * Written in the same transaction as the record it describes.
 */
@Entity('reference_index')
@Index('IDX_reference_index_reference', ['reference', 'id'])
@Index('IDX_reference_index_referrer', ['referrerType', 'referrerId'])
export class ReferenceEntry {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'referrer_type', type: 'varchar', length: 64 })
  referrerType: string;

  @Column({ name: 'referrer_id', type: 'varchar', length: 64 })
  referrerId: string;

  @Column({ type: 'varchar', length: 2048 })
  reference: string;

  @Column({ name: 'reference_uuid', type: 'varchar', length: 64, nullable: true })
  referenceUuid: string | null;

  @Column({ type: 'boolean' })
  inline: boolean;

  @Column({ type: 'varchar', length: 512 })
  path: string;

  /** The referrer field's delete policy, so that a delete checks `restrict` with one indexed query. */
  @Column({ name: 'on_delete', type: 'varchar', length: 8, default: 'keep' })
  onDelete: OnDeletePolicy;

  /** The target version this inline copy was last synced to (queue mode's guard against stale jobs). */
  @Column({ name: 'synced_version', type: 'integer', nullable: true })
  syncedVersion: number | null;
}
