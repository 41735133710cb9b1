import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { MoreThan } from 'typeorm';
import { formatPath, parsePath, type JsonPath } from '../extraction/json-path.util.js';
import { fieldAt } from '../extraction/reference-schema.util.js';
import { PLACES_SETTING, REFERENCES_DATA_SOURCE } from '../references.constants.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { ReferenceSetting } from '../settings/reference-setting.entity.js';
import { TransactionHooks } from '../transaction/transaction-hooks.service.js';
import { ReferencePlace } from './reference-place.entity.js';
import { ReferenceEntry } from './reference-entry.entity.js';

/** Index rows read per statement while `reference_place` is filled from an index written before it existed. */
const BACKFILL_BATCH = 10_000;

/** A referrer field as a place names it: `${referrerType} ${path}`, the path without array positions. */
export type FieldKey = string;

/** The field a JSON path of an index row stands in: its path without array positions (`creators[2].agent` → `creators.agent`). */
export function fieldPathOf(path: JsonPath): string {
  return formatPath(path.filter((segment) => typeof segment === 'string'));
}

export const fieldKey = (referrerType: string, fieldPath: string): FieldKey => `${referrerType} ${fieldPath}`;

/** The referrer type and field path of a key. */
export function splitFieldKey(key: FieldKey): { referrerType: string; path: string } {
  const space = key.indexOf(' ');
  return { referrerType: key.slice(0, space), path: key.slice(space + 1) };
}

/** The places of references to one type: the inline fields that hold copies, and the link fields. */
export interface TypePlaces {
  inline: Set<FieldKey>;
  links: Set<FieldKey>;
}

/**
 * Where the references to each type live (`reference_place`): the referrer fields that hold an inline copy
 * of some record of the type, or a link to one. A change of a record compares only the inline fields' copies,
 * so a field that could hold a copy of anything (no inline field names its target type) costs nothing where
 * it holds none; and walks the link referrers only when a link field holds one.
 *
 * Written in the transaction that writes the index rows showing a new place, so that a change of the
 * target, which reads them after taking its row's update lock, sees every place whose writer held a share
 * or key-share lock on it (ARCHITECTURE.md, "Concurrency"). A place is never removed. The places this process
 * has seen committed are not written again.
 */
@Injectable()
export class ReferencePlaces implements OnModuleInit {
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
    if (!(await settings.findOneBy({ key: PLACES_SETTING }))) {
      const entries = this.dataSource.getRepository(ReferenceEntry);
      for (let after = 0; ; ) {
        const rows = await entries.find({
          select: { id: true, reference: true, referrerType: true, path: true },
          where: { id: MoreThan(after) },
          order: { id: 'ASC' },
          take: BACKFILL_BATCH,
        });
        if (!rows.length) break;
        await this.record(this.dataSource.manager, rows);
        after = rows.at(-1)!.id;
      }
      await settings.createQueryBuilder().insert().values({ key: PLACES_SETTING, value: 'complete' }).orIgnore().execute();
    }
    this.complete = true;
  }

  /** The name of the local type a URL names a record of, if any. */
  typeOf(url: string): string | undefined {
    return this.registry.resolve(url)?.type.name;
  }

  /** Records the places these index rows show, in the transaction of `manager` that writes them. */
  async record(manager: EntityManager, rows: Iterable<{ reference: string; referrerType: string; path: string }>): Promise<void> {
    const fresh = new Map<string, ReferencePlace>();
    for (const row of rows) {
      const target = this.typeOf(row.reference);
      if (!target) continue;
      const path = fieldPathOf(parsePath(row.path));
      const key = `${target} ${row.referrerType} ${path}`;
      if (!this.known.has(key) && !fresh.has(key)) fresh.set(key, { targetType: target, referrerType: row.referrerType, path });
    }
    if (!fresh.size) return;
    // NOTE: in key order, so that two writers adding the same new places wait for each other in one order, never in a cycle.
    const values = [...fresh.keys()].sort().map((key) => fresh.get(key)!);
    await manager.createQueryBuilder().insert().into(ReferencePlace).values(values).orIgnore().execute();
    // NOTE: remembered once committed: a place written by a transaction that rolls back must be written again.
    await this.hooks.afterCommit(manager, this.remember, [...fresh.keys()]);
  }

  /**
   * The places of references to records of `type`, read in the transaction of `manager` (after the record's
   * update lock): the inline fields, and the link fields that hear of a content change (`reindexOnChange`).
   * `undefined` while the table is not known to be complete.
   */
  async of(manager: EntityManager, type: ReferenceType): Promise<TypePlaces | undefined> {
    if (!this.complete) return undefined;
    const rows = await manager.getRepository(ReferencePlace).find({ select: { referrerType: true, path: true }, where: { targetType: type.name } });
    const places: TypePlaces = { inline: new Set(), links: new Set() };
    for (const row of rows) {
      const schema = this.registry.forName(row.referrerType)?.schema;
      const field = schema && fieldAt(schema, parsePath(row.path));
      // NOTE: a place the schemas no longer have holds nothing a change could reach.
      if (field?.kind === 'inline') places.inline.add(fieldKey(row.referrerType, row.path));
      else if (field?.kind === 'link' && field.reindexOnChange !== false) places.links.add(fieldKey(row.referrerType, row.path));
    }
    return places;
  }
}
