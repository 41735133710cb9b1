import { Inject, Injectable } from '@nestjs/common';
import type {
  DataSource,
  EntitySubscriberInterface,
  InsertEvent,
  RemoveEvent,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  UpdateEvent,
} from 'typeorm';
import { RecordLifecycle } from '../lifecycle/record-lifecycle.js';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { TransactionHooks } from '../transaction/transaction-hooks.js';

/**
 * Turns `save()` and `remove()` of a reference-enabled entity into index writes and propagation, in the
 * writer's own transaction (the seed's after_record_insert / update / delete handlers).
 * NOTE: `update()`, `delete()` and raw query builders bypass entity subscribers, as they bypass every
 * TypeORM listener; write reference-enabled records with `save()` and `remove()`.
 */
@Injectable()
export class ReferencesSubscriber implements EntitySubscriberInterface {
  constructor(
    @Inject(REFERENCES_DATA_SOURCE) dataSource: DataSource,
    private readonly registry: ReferenceTypesRegistry,
    private readonly lifecycle: RecordLifecycle,
    private readonly hooks: TransactionHooks,
  ) {
    // NOTE: TypeORM builds the subscribers it is given itself, without DI; this one registers itself.
    dataSource.subscribers.push(this);
  }

  async beforeInsert(event: InsertEvent<any>): Promise<void> {
    const type = this.registry.forEntity(event.metadata.target as Function);
    if (type && event.entity) await this.lifecycle.beforeWrite(event.manager, type, event.entity);
  }

  async afterInsert(event: InsertEvent<any>): Promise<void> {
    const type = this.registry.forEntity(event.metadata.target as Function);
    if (type && event.entity) await this.lifecycle.afterInsert(event.manager, type, event.entity);
  }

  async beforeUpdate(event: UpdateEvent<any>): Promise<void> {
    const type = this.registry.forEntity(event.metadata.target as Function);
    if (type && event.entity && type.metadataProperty in event.entity) {
      await this.lifecycle.beforeWrite(event.manager, type, event.entity);
    }
  }

  async afterUpdate(event: UpdateEvent<any>): Promise<void> {
    const type = this.registry.forEntity(event.metadata.target as Function);
    if (!type || !event.entity) return;
    if (!event.updatedColumns.some((c) => c.propertyName === type.metadataProperty)) return;
    // NOTE: save() may be handed a partial object; what TypeORM loaded fills in what it lacks (the id, say).
    const record = Object.assign(Object.create(Object.getPrototypeOf(event.entity)), event.databaseEntity, event.entity);
    await this.lifecycle.afterUpdate(event.manager, type, record);
  }

  async beforeRemove(event: RemoveEvent<any>): Promise<void> {
    const type = this.registry.forEntity(event.metadata.target as Function);
    const record = event.databaseEntity ?? event.entity;
    if (type && record) await this.lifecycle.beforeRemove(event.manager, type, record);
  }

  async afterRemove(event: RemoveEvent<any>): Promise<void> {
    const type = this.registry.forEntity(event.metadata.target as Function);
    const id = event.entityId ?? (event.databaseEntity && type?.idOf(event.databaseEntity));
    if (type && id !== undefined) await this.lifecycle.afterRemove(event.manager, type, String(id));
  }

  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    await this.hooks.committed(event.queryRunner);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.hooks.rolledBack(event.queryRunner);
  }
}
