import { Entity, PrimaryColumn } from 'typeorm';

/**
 * One place where copies of a type's records live: some record of `referrerType` holds, at the field
 * `path` (its JSON path with array positions left out, e.g. `creators.agent`), an inline copy of a record
 * of `targetType`. Written with the index rows that first show it, never removed (a place that no longer
 * holds a copy only costs a comparison). A change of a record compares the copies of these fields only.
 */
@Entity('reference_copy_field')
export class ReferenceCopyField {
  @PrimaryColumn({ name: 'target_type', type: 'varchar', length: 64 })
  targetType: string;

  @PrimaryColumn({ name: 'referrer_type', type: 'varchar', length: 64 })
  referrerType: string;

  @PrimaryColumn({ type: 'varchar', length: 512 })
  path: string;
}
