import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Queue mode's record of how far the inline copies of a target are synced: `version` is the newest content
 * change (its outbox row id) whose propagation has reached every inline referrer. One row per target, written
 * when a change's run (or the last of its slices) ends, so that a late or repeated run of that change or an
 * older one is skipped without a per-referrer mark.
 */
@Entity('reference_synced')
export class ReferenceSynced {
  @PrimaryColumn({ type: 'varchar', length: 2048 })
  reference: string;

  @Column({ type: 'integer' })
  version: number;
}
