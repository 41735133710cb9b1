import { Entity, PrimaryColumn } from 'typeorm';

/**
 * One place where references to a type's records live: some record of `referrerType` references a record
 * of `targetType` at the field `path` (its JSON path with array positions left out, e.g. `creators.agent`),
 * inline or by link (the schema's field at `path` says which). Written with the index rows that first show
 * it, never removed (a place that no longer holds a reference only costs a comparison). A change of a record
 * compares only the copies of the inline places of its type, and walks the link referrers only when its type
 * has a link place.
 */
@Entity('reference_place')
export class ReferencePlace {
  @PrimaryColumn({ name: 'target_type', type: 'varchar', length: 64 })
  targetType: string;

  @PrimaryColumn({ name: 'referrer_type', type: 'varchar', length: 64 })
  referrerType: string;

  @PrimaryColumn({ type: 'varchar', length: 512 })
  path: string;
}
