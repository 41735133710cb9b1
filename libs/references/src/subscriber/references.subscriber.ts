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
import { ReferencesEngine } from '../engine/references.engine.js';
import { REFERENCES_DATA_SOURCE } from '../references.constants.js';

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
    private readonly engine: ReferencesEngine,
  ) {
    // NOTE: TypeORM builds the subscribers it is given itself, without DI; this one registers itself.
    dataSource.subscribers.push(this);
  }

  async beforeInsert(event: InsertEvent<any>): Promise<void> {
    const type = this.engine.registry.forEntity(event.metadata.target as Function);
    if (type && event.entity) await this.engine.beforeWrite(event.manager, type, event.entity);
  }

  async afterInsert(event: InsertEvent<any>): Promise<void> {
    const type = this.engine.registry.forEntity(event.metadata.target as Function);
    if (type && event.entity) await this.engine.afterInsert(event.manager, type, event.entity);
  }

  async beforeUpdate(event: UpdateEvent<any>): Promise<void> {
    const type = this.engine.registry.forEntity(event.metadata.target as Function);
    if (type && event.entity && type.metadataProperty in event.entity) {
      await this.engine.beforeWrite(event.manager, type, event.entity);
    }
  }

  async afterUpdate(event: UpdateEvent<any>): Promise<void> {
    const type = this.engine.registry.forEntity(event.metadata.target as Function);
    if (!type || !event.entity) return;
    if (!event.updatedColumns.some((c) => c.propertyName === type.metadataProperty)) return;
    // NOTE: save() may be handed a partial object; what TypeORM loaded fills in what it lacks (the id, say).
    const record = Object.assign(Object.create(Object.getPrototypeOf(event.entity)), event.databaseEntity, event.entity);
    await this.engine.afterUpdate(event.manager, type, record);
  }

  async beforeRemove(event: RemoveEvent<any>): Promise<void> {
    const type = this.engine.registry.forEntity(event.metadata.target as Function);
    const record = event.databaseEntity ?? event.entity;
    if (type && record) await this.engine.beforeRemove(event.manager, type, record);
  }

  async afterRemove(event: RemoveEvent<any>): Promise<void> {
    const type = this.engine.registry.forEntity(event.metadata.target as Function);
    const id = event.entityId ?? (event.databaseEntity && type?.idOf(event.databaseEntity));
    if (type && id !== undefined) await this.engine.afterRemove(event.manager, type, String(id));
  }

  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    await this.engine.notifier.committed(event.queryRunner);
    this.engine.afterCommit(event.queryRunner);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.engine.notifier.rolledBack(event.queryRunner);
    this.engine.afterRollback(event.queryRunner);
  }
}
