import { NotFoundException, type Type } from '@nestjs/common';
import { MoreThan, type DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import type { ReferencesService } from 'nestjs-references';
import { MAX_COUNTED } from './page-query.dto.js';
import { cappedTotal, type Page } from './page.dto.js';
import type { RecordPageQuery } from './record-page-query.dto.js';

/** A reference-enabled entity of the catalogue: a uuid and its JSON metadata. */
export interface CatalogueRecord<M extends object> {
  id: string;
  metadata: M;
}

/** The public representation `{ ...metadata, id, links: { self } }`. */
export type Representation = Record<string, any>;

/** `{ total, totalExact }` of a query, reading at most `MAX_COUNTED + 1` of its rows. */
export async function countedTotal(query: SelectQueryBuilder<any>): Promise<Required<Pick<Page, 'total' | 'totalExact'>>> {
  const [sql, parameters] = query.select('1').limit(MAX_COUNTED + 1).getQueryAndParameters();
  // NOTE: unquoted names, the same on every database (MariaDB quotes with backticks).
  const [row] = await query.connection.query(`SELECT count(*) AS n FROM (${sql}) AS counted`, parameters);
  return cappedTotal(Number(row.n));
}

/**
 * Reads and writes of one record type. Every write goes through `save()` / `remove()` inside a
 * transaction, because that is where the library's subscriber keeps the reverse index, dereferences
 * inline copies and propagates changes to referrers; the transaction is the library's
 * (`references.transaction()`), which runs it again when it collides with concurrent writers.
 */
export abstract class RecordStore<M extends object, E extends CatalogueRecord<M>> {
  protected constructor(
    protected readonly dataSource: DataSource,
    protected readonly references: ReferencesService,
    private readonly entity: Type<E>,
    private readonly label: string,
  ) {}

  /**
   * A page of records in the order of their ids: after `cursor` (the id of the previous page's last record,
   * an index range scan at any depth) or after `offset` records. Totals are counted on a page without a cursor.
   */
  async list(page: RecordPageQuery): Promise<Page> {
    const repository = this.dataSource.getRepository(this.entity);
    // NOTE: one record more than asked tells whether a next page exists, so the last page says so itself.
    const records = await repository.find({
      where: (page.cursor === undefined ? {} : { id: MoreThan(page.cursor) }) as any,
      order: { id: 'ASC' } as any,
      take: page.limit + 1,
      skip: page.offset,
    });
    const next = records.length > page.limit ? records[page.limit - 1].id : null;
    const items = records.slice(0, page.limit).map((r) => this.represent(r));
    if (page.cursor !== undefined) return { items, next };
    return { items, next, ...(await countedTotal(repository.createQueryBuilder('r'))) };
  }

  async get(id: string): Promise<Representation> {
    return this.represent(await this.find(this.dataSource.manager, id));
  }

  /** The canonical URL of a stored record, what its referrers hold (`NotFoundException` naming it when there is none). */
  async urlOf(id: string): Promise<string> {
    return this.references.canonicalUrl(await this.find(this.dataSource.manager, id));
  }

  async count(manager: EntityManager = this.dataSource.manager): Promise<number> {
    return manager.getRepository(this.entity).count();
  }

  /** Creates a record in a transaction of its own, or in the caller's when given its `manager`. */
  async create(metadata: M, manager?: EntityManager): Promise<Representation> {
    const write = async (manager: EntityManager) => {
      const repository = manager.getRepository(this.entity);
      const record = await repository.save(repository.create({ metadata: plain(metadata) } as any) as unknown as E);
      await this.afterWrite(manager, record);
      return record;
    };
    const saved = manager ? await write(manager) : await this.references.transaction(write);
    return this.represent(saved);
  }

  async replace(id: string, metadata: M): Promise<Representation> {
    const saved = await this.references.transaction(async (manager) => {
      const record = await this.find(manager, id);
      record.metadata = plain(metadata);
      const saved = await manager.getRepository(this.entity).save(record);
      await this.afterWrite(manager, saved);
      return saved;
    });
    return this.represent(saved);
  }

  async remove(id: string): Promise<void> {
    await this.references.transaction(async (manager) => {
      await manager.getRepository(this.entity).remove(await this.find(manager, id));
      await this.afterRemove(manager, id);
    });
  }

  /** Runs in the write's transaction after `save()`, with the stored record (its inline copies dereferenced). */
  protected async afterWrite(_manager: EntityManager, _record: E): Promise<void> {}

  /** Runs in the delete's transaction after `remove()`. */
  protected async afterRemove(_manager: EntityManager, _id: string): Promise<void> {}

  protected async find(manager: EntityManager, id: string): Promise<E> {
    const record = await manager.getRepository(this.entity).findOneBy({ id } as any);
    if (!record) throw new NotFoundException(`${this.label} ${id} does not exist`);
    return record;
  }

  protected represent(record: E): Representation {
    return this.references.representationOf(record);
  }
}

// NOTE: the ValidationPipe hands over a DTO instance; store a plain JSON document instead.
function plain<M>(metadata: M): M {
  return JSON.parse(JSON.stringify(metadata));
}
