import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { extractReferences } from '../extraction/reference-extractor.util.js';
import { removeAt, type JsonPath } from '../extraction/json-path.util.js';
import { InlineCopies } from '../inline/inline-copies.service.js';
import type { ReferenceFieldMetadata } from '../interfaces/reference-options.interface.js';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { RecordLoader } from '../records/record-loader.service.js';
import type { ReferenceType } from '../registry/reference-type.model.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { DEFAULT_LOCK_TIMEOUT_MS, REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import { fieldKey, fieldPathOf } from '../reverse-index/reference-places.service.js';
import { ReferenceIndex, type IndexRow } from '../reverse-index/reference-index.service.js';
import { SqlDialect } from '../sql/sql.dialect.js';
import { groupByTypeAndPath, type PathGroup } from './path-groups.util.js';
import { addChanged, mergeChanged, type BatchResult, type ChangedReferrers, type InlineProbe, type TargetState } from './propagation-strategy.interface.js';
import { ReferrersNotifier } from './referrers-notifier.service.js';

/**
 * The steps of propagation over the reverse index, one batch each: refresh inline copies, rewrite links,
 * detach deleted targets, find the next targets. Set-based: each batch of index rows (walked in keyset
 * order) becomes one UPDATE per referrer type and field. `SyncPropagation` loops over them in the writer's
 * transaction; `OutboxProcessor` commits each batch with the outbox row's cursor.
 */
@Injectable()
export class Propagator {
  /** Index rows per batch: per statement in sync mode, per committed transaction in queue mode. */
  readonly batchSize: number;
  /** How long a statement of a propagation waits for a row lock (`lockTimeoutMs`). */
  readonly lockTimeoutMs: number;

  constructor(
    private readonly registry: ReferenceTypesRegistry,
    private readonly index: ReferenceIndex,
    private readonly dialect: SqlDialect,
    private readonly copies: InlineCopies,
    private readonly loader: RecordLoader,
    private readonly notifier: ReferrersNotifier,
    @Inject(REFERENCES_MODULE_OPTIONS) options: ReferencesModuleOptions,
  ) {
    this.batchSize = options.batchSize!;
    this.lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  }

  /**
   * Sync mode: the statements of the propagation that follows wait for a row lock at most `lockTimeoutMs`
   * (the writer's transaction, when it is not one of `ReferencesService.transaction()`, has no bound yet).
   */
  boundWaits(manager: EntityManager): Promise<void> {
    return this.dialect.boundWaits(manager, { lockTimeoutMs: this.lockTimeoutMs });
  }

  /**
   * Refreshes the inline copies in the next batch of referrers of `target` after index row `after` (up to
   * index row `until`, for a slice of a fan-out).
   */
  async refreshBatch(manager: EntityManager, target: TargetState, after: number, options: { until?: number } = {}): Promise<BatchResult> {
    const rows = await this.index.batchAfter(manager, target.reference, after, this.batchSize, { inline: true, until: options.until });
    return { cursor: rows.at(-1)?.id, last: rows.length < this.batchSize, changed: await this.refreshRows(manager, target, rows) };
  }

  /**
   * Refreshes the inline copies that these index rows point at: one statement per referrer type and path,
   * for the fields whose copy the change altered (`target.fields`, all when not known).
   */
  async refreshRows(manager: EntityManager, target: TargetState, rows: IndexRow[]): Promise<ChangedReferrers> {
    const changed: ChangedReferrers = new Map();
    for (const [type, byPath] of this.groupByTypeAndPath(rows)) {
      const contents = new Map<ReferenceFieldMetadata, string>();
      for (const group of byPath.values()) {
        const field = group.field;
        if (!field || field.kind !== 'inline') continue;
        if (target.fields && !target.fields.has(fieldKey(type.name, fieldPathOf(group.path)))) continue;
        // The copy depends on the field (depth, fields, postprocess), not on the array position.
        let content = contents.get(field);
        if (content === undefined) {
          content = JSON.stringify(this.copies.build(target.representation, target.type, field, { reference: target.reference, manager }));
          contents.set(field, content);
        }
        addChanged(changed, type, await this.dialect.setAtPath(manager, type, group.path, group.ids, content));
      }
    }
    await this.notify(manager, target.reference, changed);
    return changed;
  }

  /** Rewrites, in the next batch of referrers of `oldUrl`, the links and the `links.self` of inline copies. */
  async renameBatch(manager: EntityManager, oldUrl: string, newUrl: string, after: number): Promise<BatchResult> {
    const rows = await this.index.batchAfter(manager, oldUrl, after, this.batchSize);
    const changed: ChangedReferrers = new Map();
    const value = JSON.stringify(newUrl);
    for (const [type, byPath] of this.groupByTypeAndPath(rows)) {
      for (const group of byPath.values()) {
        const path = group.inline ? [...group.path, 'links', 'self'] : group.path;
        addChanged(changed, type, await this.dialect.setAtPath(manager, type, path, group.ids, value));
      }
    }
    await this.notify(manager, oldUrl, changed);
    return { cursor: rows.at(-1)?.id, changed };
  }

  /** Removes the next batch of `detach` references to a deleted `reference` and reindexes those referrers. */
  async detachBatch(manager: EntityManager, reference: string, after: number): Promise<BatchResult> {
    const rows = await this.index.batchAfter(manager, reference, after, this.batchSize, { onDelete: 'detach' });
    const changed: ChangedReferrers = new Map();
    for (const [type, byPath] of this.groupByTypeAndPath(rows)) {
      const paths = new Map<string, JsonPath[]>();
      for (const group of byPath.values()) {
        for (const id of group.ids) (paths.get(id) ?? paths.set(id, []).get(id)!).push(group.path);
      }
      const records = await this.loader.loadMany(manager, type, [...paths.keys()]);
      const documents = records.map((record) => {
        const id = type.idOf(record);
        const metadata = structuredClone(type.metadataOf(record));
        removeAt(metadata, paths.get(id)!);
        return { id, metadata };
      });
      await this.dialect.writeDocuments(manager, type, documents.map((d) => ({ id: d.id, json: JSON.stringify(d.metadata) })));
      await this.index.removeReferrer(manager, type.name, documents.map((d) => d.id));
      await this.index.insert(
        manager,
        documents.map((d) => ({ referrerType: type.name, referrerId: d.id, specs: extractReferences(type.schema, d.metadata) })),
      );
      addChanged(changed, type, documents.map((d) => d.id));
    }
    await this.notify(manager, reference, changed);
    return { cursor: rows.at(-1)?.id, changed };
  }

  /**
   * The next batch of link referrers of `reference` after index row `after` whose field asks to hear of the
   * target's changes (`reindexOnChange`, the default). Read by key, like every batch; nothing is written.
   */
  async linkReferrersBatch(manager: EntityManager, reference: string, after: number): Promise<BatchResult> {
    const rows = await this.index.batchAfter(manager, reference, after, this.batchSize, { inline: false });
    const touched: ChangedReferrers = new Map();
    for (const [type, byPath] of this.groupByTypeAndPath(rows)) {
      for (const group of byPath.values()) if (group.field?.reindexOnChange !== false) addChanged(touched, type, group.ids);
    }
    return { cursor: rows.at(-1)?.id, changed: touched };
  }

  /**
   * Hands the link referrers of `reference` to the `ReferrerIndexer` and the event once the transaction of
   * `manager` commits, a batch at a time: their search documents may show the target, whose content
   * changed. Adds them to `into` when given.
   */
  async reindexLinkReferrers(manager: EntityManager, reference: string, into?: ChangedReferrers): Promise<void> {
    for (let after = 0; ; ) {
      const { cursor, changed } = await this.linkReferrersBatch(manager, reference, after);
      if (cursor === undefined) return;
      await this.notify(manager, reference, changed);
      if (into) mergeChanged(into, changed);
      after = cursor;
    }
  }

  /**
   * The records among `changed` that are themselves referenced elsewhere (copied inline, or linked: their
   * link referrers are reported too), as targets to propagate next. This is what makes propagation transitive.
   */
  async nextTargets(manager: EntityManager, changed: ChangedReferrers, probe: InlineProbe = new Map()): Promise<TargetState[]> {
    const targets: TargetState[] = [];
    for (const [type, ids] of changed) {
      // NOTE: one probe per type and run: when nothing references records of this type, no id needs checking.
      if (type.urlPrefix !== undefined) {
        if (!probe.has(type)) probe.set(type, await this.index.anyUnder(manager, type.urlPrefix));
        if (!probe.get(type)) continue;
      }
      const idList = [...ids];
      for (let i = 0; i < idList.length; i += this.batchSize) {
        const chunk = idList.slice(i, i + this.batchSize);
        // NOTE: with default canonical URLs, only the referrers that are themselves referenced are loaded.
        const urlForId = type.urlForId;
        const records = urlForId ? [] : await this.loader.loadMany(manager, type, chunk);
        const urls = urlForId ? chunk.map(urlForId) : records.map((r) => type.canonicalUrl(r));
        const referenced = await this.index.referenced(manager, urls);
        if (!referenced.size) continue;
        const loaded = urlForId
          ? await this.loader.loadMany(manager, type, chunk.filter((id) => referenced.has(urlForId(id))))
          : records;
        for (const record of loaded) {
          const url = type.canonicalUrl(record);
          if (referenced.has(url)) targets.push({ reference: url, representation: type.representationOf(record), type });
        }
      }
    }
    return targets;
  }

  /** The rows of a batch grouped by referrer type, then by path: one statement per group. */
  private groupByTypeAndPath(rows: IndexRow[]): Map<ReferenceType, Map<string, PathGroup>> {
    return groupByTypeAndPath(rows, (name) => this.registry.forName(name));
  }

  private async notify(manager: EntityManager, reference: string, changed: ChangedReferrers) {
    for (const [type, ids] of changed) {
      await this.notifier.record(manager, { reference, referrerType: type.name, referrerIds: [...ids] });
    }
  }

}
