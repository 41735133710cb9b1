import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

const epochMs = { to: (v: unknown) => v, from: (v: unknown) => (v == null ? null : Number(v)) };

/**
 * Referrers that propagation changed and the app's `ReferrerIndexer` has not yet taken: written in the
 * transaction that changed them, deleted once the indexer succeeded. A crash between the commit and the
 * indexer, or an indexer that fails, leaves the row, and it is handed to the indexer again until it succeeds.
 * Written only when the app provides a `ReferrerIndexer`.
 */
@Entity('reference_reindex')
@Index('IDX_reference_reindex_due', ['dueAt'])
export class ReferenceReindexEntry {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'referrer_type', type: 'varchar', length: 64 })
  referrerType: string;

  /** The referrer ids, a JSON array. */
  @Column({ name: 'referrer_ids', type: 'text' })
  referrerIds: string;

  /** Failed deliveries so far. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** When (milliseconds since the epoch) the retry may take the row: after the committing process had its turn, or after a backoff. */
  @Column({ name: 'due_at', type: 'bigint', transformer: epochMs })
  dueAt: number;

  /** Why the indexer failed last. */
  @Column({ type: 'text', nullable: true })
  error: string | null;
}
