import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One setting the library keeps with the data it describes; today the base URL its stored references use. */
@Entity('reference_settings')
export class ReferenceSetting {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key: string;

  @Column({ type: 'varchar', length: 2048 })
  value: string;
}
