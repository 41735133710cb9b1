import { Inject, Injectable } from '@nestjs/common';
import type {
  DataSource,
  EntitySubscriberInterface,
  InsertEvent,
  RecoverEvent,
  RemoveEvent,
  SoftRemoveEvent,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  TransactionStartEvent,
  UpdateEvent,
} from 'typeorm';
import { UntrackedWriteError } from '../errors/references.errors.js';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { RecordLifecycle } from '../lifecycle/record-lifecycle.service.js';
import { REFERENCES_DATA_SOURCE, REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { SqlDialect } from '../sql/sql.dialect.js';
import { TransactionHooks } from '../transaction/transaction-hooks.service.js';

/**
 * Turns `save()`, `remove()` and `softRemove()` of a reference-enabled entity into index writes and
 * propagation, in the writer's own transaction.
 * Writes that reach it without the entity — `update()`, `delete()`, `softDelete()` and query builders —
 * are refused unless `rawWrites` is `'allow'`: the library could not keep the index or the copies.
 */
@Injectable()
export class ReferencesSubscriber implements EntitySubscriberInterface {
  private readonly refuseRawWrites: boolean;

  constructor(
    @Inject(REFERENCES_DATA_SOURCE) dataSource: DataSource,
    @Inject(REFERENCES_MODULE_OPTIONS) options: ReferencesModuleOptions,
    private readonly registry: ReferenceTypesRegistry,
    private readonly lifecycle: RecordLifecycle,
    private readonly hooks: TransactionHooks,
    private readonly dialect: SqlDialect,
  ) {
    this.refuseRawWrites = options.rawWrites !== 'allow';
    // NOTE: TypeORM builds the subscribers it is given itself, without DI; this one registers itself.
    dataSource.subscribers.push(this);
  }

  async beforeInsert(event: InsertEvent<any>): Promise<void> {
    const type = this.typeOf(event);
    if (type && event.entity) await this.lifecycle.beforeWrite(event.manager, type, event.entity);
  }

  async afterInsert(event: InsertEvent<any>): Promise<void> {
    const type = this.typeOf(event);
    if (type && event.entity) await this.lifecycle.afterInsert(event.manager, type, event.entity);
  }

  async beforeUpdate(event: UpdateEvent<any>): Promise<void> {
    const type = this.typeOf(event);
    if (!type || !event.entity) return;
    // NOTE: save() loads the stored row first; an update() or a query builder hands over only the values it sets.
    if (!event.databaseEntity) {
      const idProperty = type.entityMetadata.primaryColumns[0].propertyName;
      if (this.refuseRawWrites && (type.metadataProperty in event.entity || idProperty in event.entity)) {
        throw new UntrackedWriteError(type.entityMetadata.name, 'update');
      }
      return;
    }
    if (type.metadataProperty in event.entity) await this.lifecycle.beforeWrite(event.manager, type, event.entity, event.databaseEntity);
  }

  async afterUpdate(event: UpdateEvent<any>): Promise<void> {
    const type = this.typeOf(event);
    if (!type || !event.entity || !event.databaseEntity) return;
    // NOTE: save() may be handed a partial object; what TypeORM loaded fills in what it lacks (the id, say).
    const record = Object.assign(Object.create(Object.getPrototypeOf(event.entity)), event.databaseEntity, event.entity);
    const [oldUrl, newUrl] = [type.canonicalUrl(event.databaseEntity), type.canonicalUrl(record)];
    if (oldUrl !== newUrl) await this.lifecycle.afterMove(event.manager, oldUrl, newUrl);
    // NOTE: a type's own `representation` may read any column: then a change of any column may change its copies.
    const changed = type.options.representation ? event.updatedColumns.length > 0 : event.updatedColumns.some((c) => c.propertyName === type.metadataProperty);
    if (changed) await this.lifecycle.afterUpdate(event.manager, type, record, event.entity);
  }

  async beforeRemove(event: RemoveEvent<any>): Promise<void> {
    await this.beforeDelete(event, 'delete');
  }

  async afterRemove(event: RemoveEvent<any>): Promise<void> {
    const type = this.typeOf(event);
    const id = event.entityId ?? (event.databaseEntity && type?.idOf(event.databaseEntity));
    if (type && id !== undefined) await this.lifecycle.afterRemove(event.manager, type, String(id));
  }

  /** A soft delete applies the delete policies as a delete does; the record keeps its own index rows, for `recover()`. */
  async beforeSoftRemove(event: SoftRemoveEvent<any>): Promise<void> {
    await this.beforeDelete(event, 'soft-delete');
  }

  async afterRecover(_event: RecoverEvent<any>): Promise<void> {
    // NOTE: nothing to restore: the record's own index rows were kept, and the references that `detach`
    // removed from other records are gone for good (see README, "Soft delete").
  }

  async afterTransactionStart(event: TransactionStartEvent): Promise<void> {
    const depth = (event.queryRunner as { transactionDepth?: number }).transactionDepth;
    if (depth === undefined || depth === 1) await this.dialect.beginTransaction(event.queryRunner.manager);
  }

  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    await this.hooks.committed(event.queryRunner);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.hooks.rolledBack(event.queryRunner);
  }

  private async beforeDelete(event: RemoveEvent<any> | SoftRemoveEvent<any>, operation: 'delete' | 'soft-delete'): Promise<void> {
    const type = this.typeOf(event);
    if (!type) return;
    const record = event.databaseEntity ?? event.entity;
    if (record) await this.lifecycle.beforeRemove(event.manager, type, record);
    else if (this.refuseRawWrites) throw new UntrackedWriteError(type.entityMetadata.name, operation);
  }

  private typeOf(event: { metadata: { target: unknown } }): ReferenceType | undefined {
    return this.registry.forEntity(event.metadata.target as Function);
  }
}
