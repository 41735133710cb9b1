import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { MoreThan } from 'typeorm';
import { formatPath, parsePath, type JsonPath } from '../extraction/json-path.util.js';
import { COPY_FIELDS_SETTING, REFERENCES_DATA_SOURCE } from '../references.constants.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { ReferenceSetting } from '../settings/reference-setting.entity.js';
import { TransactionHooks } from '../transaction/transaction-hooks.service.js';
import { ReferenceCopyField } from './reference-copy-field.entity.js';
import { ReferenceEntry } from './reference-entry.entity.js';

/** Index rows read per statement while `reference_copy_field` is filled from an index written before it existed. */
const BACKFILL_BATCH = 10_000;

/** A referrer field as a copy field names it: `${referrerType} ${path}`, the path without array positions. */
export type CopyFieldKey = string;

/** The field a JSON path of an index row stands in: its path without array positions (`creators[2].agent` → `creators.agent`). */
export function fieldPathOf(path: JsonPath): string {
  return formatPath(path.filter((segment) => typeof segment === 'string'));
}

export const copyFieldKey = (referrerType: string, fieldPath: string): CopyFieldKey => `${referrerType} ${fieldPath}`;

/** The referrer type and field path of a key. */
export function splitCopyFieldKey(key: CopyFieldKey): { referrerType: string; path: string } {
  const space = key.indexOf(' ');
  return { referrerType: key.slice(0, space), path: key.slice(space + 1) };
}

/**
 * Where the copies of each type live (`reference_copy_field`): the referrer fields that hold an inline copy
 * of some record of the type. A change of a record compares only these fields' copies, so a field that
 * could hold a copy of anything (no inline field names its target type) costs nothing where it holds none.
 *
 * Written in the transaction that writes the index rows showing a new place, so that a change of the
 * target, which reads them after taking its row's update lock, sees every place whose writer held a share
 * lock on it (ARCHITECTURE.md, "Concurrency"). A place is never removed. The places this process has seen
 * committed are not written again.
 */
@Injectable()
export class CopyFields implements OnModuleInit {
  /** `${targetType} ${referrerType} ${path}` of the places known committed. */
  private readonly known = new Set<string>();
  /** Whether the table holds every place of the index (filled at the first start of a database that had an index). */
  private complete = false;
  private readonly remember = (batches: string[][]) => {
    for (const keys of batches) for (const key of keys) this.known.add(key);
  };

  constructor(
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly registry: ReferenceTypesRegistry,
    private readonly hooks: TransactionHooks,
  ) {}

  /**
   * Fills the table from the index once per database (an index written before the table existed), then
   * records that it did; until then no change is compared (every field that may hold copies is refreshed).
   */
  async onModuleInit(): Promise<void> {
    const settings = this.dataSource.getRepository(ReferenceSetting);
    if (!(await settings.findOneBy({ key: COPY_FIELDS_SETTING }))) {
      const entries = this.dataSource.getRepository(ReferenceEntry);
      for (let after = 0; ; ) {
        const rows = await entries.find({
          select: { id: true, reference: true, referrerType: true, path: true, inline: true },
          where: { inline: true, id: MoreThan(after) },
          order: { id: 'ASC' },
          take: BACKFILL_BATCH,
        });
        if (!rows.length) break;
        await this.record(this.dataSource.manager, rows);
        after = rows.at(-1)!.id;
      }
      await settings.createQueryBuilder().insert().values({ key: COPY_FIELDS_SETTING, value: 'complete' }).orIgnore().execute();
    }
    this.complete = true;
  }

  /** Records the places these index rows show, in the transaction of `manager` that writes them. */
  async record(manager: EntityManager, rows: Iterable<{ reference: string; referrerType: string; path: string; inline: boolean }>): Promise<void> {
    const fresh = new Map<string, ReferenceCopyField>();
    for (const row of rows) {
      if (!row.inline) continue;
      const target = this.registry.resolve(row.reference)?.type;
      if (!target) continue;
      const path = fieldPathOf(parsePath(row.path));
      const key = `${target.name} ${row.referrerType} ${path}`;
      if (!this.known.has(key) && !fresh.has(key)) fresh.set(key, { targetType: target.name, referrerType: row.referrerType, path });
    }
    if (!fresh.size) return;
    await manager.createQueryBuilder().insert().into(ReferenceCopyField).values([...fresh.values()]).orIgnore().execute();
    // NOTE: remembered once committed: a place written by a transaction that rolls back must be written again.
    await this.hooks.afterCommit(manager, this.remember, [...fresh.keys()]);
  }

  /**
   * The fields that hold copies of records of `type`, read in the transaction of `manager` (after the
   * record's update lock); `undefined` while the table is not known to be complete.
   */
  async of(manager: EntityManager, type: ReferenceType): Promise<Set<CopyFieldKey> | undefined> {
    if (!this.complete) return undefined;
    const rows = await manager.getRepository(ReferenceCopyField).find({ select: { referrerType: true, path: true }, where: { targetType: type.name } });
    return new Set(rows.map((row) => copyFieldKey(row.referrerType, row.path)));
  }
}
