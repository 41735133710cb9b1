import { Inject, Injectable } from '@nestjs/common';
import { asJson } from '../extraction/storable-json.util.js';
import { isDeepStrictEqual } from 'node:util';
import type { EntityManager } from 'typeorm';
import { Dereferencer } from '../inline/dereferencer.service.js';
import { ReferencesConfigurationError, UnknownReferenceError } from '../errors/references.errors.js';
import type { ReferrerKey, RepairResult } from '../interfaces/references-reports.interface.js';
import { referrerKeysOf, type PropagationStrategy } from '../propagation/propagation-strategy.interface.js';
import { RecordLoader } from '../records/record-loader.service.js';
import { PROPAGATION_STRATEGY } from '../references.constants.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { WriteTransactions } from '../transaction/write-transactions.service.js';
import { ReferenceUrls } from '../urls/reference-urls.service.js';

/**
 * Writes records again as the library writes them today: each local reference in its canonical spelling
 * and each copy taken from its target (`references repair`, for what `verify()` reports non-canonical).
 * A record is saved through TypeORM, so its index rows and its referrers follow, in its own transaction.
 * Also propagates a target's current content again (`references refresh`, for what `verify()` reports stale).
 */
@Injectable()
export class Repairer {
  constructor(
    private readonly registry: ReferenceTypesRegistry,
    private readonly dereferencer: Dereferencer,
    private readonly transactions: WriteTransactions,
    private readonly urls: ReferenceUrls,
    private readonly loader: RecordLoader,
    @Inject(PROPAGATION_STRATEGY) private readonly propagation: PropagationStrategy,
  ) {}

  /** Throws when `type` (a route) names no reference type; `undefined` is every type. */
  checkType(type: string | undefined): void {
    if (type !== undefined && !this.registry.forName(type)) {
      const known = this.registry.types.map((each) => each.name).join(', ');
      throw new ReferencesConfigurationError(`no reference type "${type}" (the types are ${known})`);
    }
  }

  /** The distinct targets of `rows` that are records of `type` (every target when `undefined`). */
  targetsOfType(rows: Array<{ reference: string }>, type: string | undefined): string[] {
    return [...new Set(rows.map((row) => row.reference))].filter((reference) => type === undefined || this.registry.resolve(reference)?.type.name === type);
  }

  /** See `ReferencesMaintenance.refreshReferences()`. */
  async refreshReferences<T extends object>(record: T, manager?: EntityManager): Promise<T> {
    const type = this.registry.forEntity(record.constructor);
    if (!type) throw new ReferencesConfigurationError(`${record.constructor.name} is not a @ReferenceEnabled() entity`);
    const work = async (manager: EntityManager): Promise<T> => {
      const where = type.entityMetadata.getEntityIdMap(record);
      const { record: stored } = where ? await this.rewrite<T>(manager, type, where) : {};
      if (!stored) throw new UnknownReferenceError(type.canonicalUrl(record), 'refreshReferences');
      return stored;
    };
    return manager ? work(manager) : this.transactions.run(work);
  }

  /** See `ReferencesMaintenance.refresh()`. */
  async refresh(url: string, manager?: EntityManager): Promise<ReferrerKey[]> {
    const reference = this.urls.canonical(url);
    const local = this.registry.resolve(reference);
    if (!local) throw new UnknownReferenceError(reference, 'refresh');
    const work = async (manager: EntityManager) => {
      const record = await this.loader.load(manager, local.type, local.id, { by: 'key' });
      if (!record) throw new UnknownReferenceError(reference, 'refresh');
      return this.propagation.contentChanged(manager, { reference, representation: local.type.representationOf(record), type: local.type });
    };
    return referrerKeysOf(manager ? await work(manager) : await this.transactions.run(work));
  }

  async repair(records: ReferrerKey[]): Promise<RepairResult> {
    const result: RepairResult = { repaired: [], failed: [] };
    for (const key of records) {
      const type = this.registry.forName(key.referrerType);
      if (!type) continue;
      const idProperty = type.entityMetadata.primaryColumns[0].propertyName;
      try {
        const { changed } = await this.transactions.run((manager) => this.rewrite(manager, type, { [idProperty]: key.referrerId }));
        if (changed) result.repaired.push(key);
      } catch (error) {
        result.failed.push({ ...key, reason: (error as Error).message });
      }
    }
    return result;
  }

  /**
   * Reads one record afresh in the transaction of `manager`, takes its references and copies again as a
   * write would, and saves it if that changed it (`refreshReferences()` too).
   * `record` is `undefined` when no record matches `where`.
   */
  async rewrite<T extends object>(manager: EntityManager, type: ReferenceType, where: Record<string, unknown>): Promise<{ record?: T; changed: boolean }> {
    const record = (await manager.findOneBy(type.entity as any, where as any)) as T | null;
    if (!record) return { changed: false };
    const metadata = structuredClone(type.metadataOf(record));
    await this.dereferencer.prepare(manager, type, metadata);
    // NOTE: compared as JSON values: what is stored (no undefined keys, plain objects; key order aside).
    if (isDeepStrictEqual(asJson(metadata), asJson(type.metadataOf(record)))) return { record, changed: false };
    (record as Record<string, any>)[type.metadataProperty] = metadata;
    return { record: await manager.save(record), changed: true };
  }
}

