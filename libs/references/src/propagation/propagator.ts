import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { extractReferences } from '../extraction/reference-extractor.js';
import { removeAt, type JsonPath } from '../extraction/json-path.js';
import { InlineCopies } from '../inline/inline-copies.js';
import type { ReferenceFieldMetadata } from '../interfaces/reference-options.interface.js';
import type { ReferencesModuleOptions } from '../interfaces/references-module-options.interface.js';
import { RecordLoader } from '../records/record-loader.js';
import type { ReferenceType } from '../registry/reference-type.js';
import { ReferenceTypesRegistry } from '../registry/reference-types.registry.js';
import { DEFAULT_LOCK_TIMEOUT_MS, MAX_PROPAGATION_HOPS, REFERENCES_MODULE_OPTIONS } from '../references.constants.js';
import { ReferenceIndex, type IndexRow } from '../reverse-index/reference-index.js';
import { SqlDialect } from '../sql/sql-dialect.js';
import { groupByTypeAndPath, type PathGroup } from './path-groups.js';
import type { PropagationStrategy } from './propagation-strategy.js';
import { ReferrersNotifier } from './referrers-notifier.js';

/** Per referrer type, whether any record references a record of that type, inline or by link (asked once a run). */
export type InlineProbe = Map<ReferenceType, boolean>;

/** What changed in one batch: per referrer type, the ids of records whose metadata changed. */
export type ChangedReferrers = Map<ReferenceType, Set<string>>;

/** The result of one batch of a propagation: where to continue, and what changed. */
export interface BatchResult {
  /** The last index row id handled; `undefined` when there was nothing left. */
  cursor: number | undefined;
  changed: ChangedReferrers;
}

/** A target's current public state, as propagation copies it. */
export interface TargetState {
  reference: string;
  representation: Record<string, any>;
  /** The target's type when it is a local record (its nested copies then follow the depth rule). */
  type?: ReferenceType;
}

/**
 * Propagation over the reverse index: refresh inline copies, rewrite links, detach deleted targets.
 * Set-based: each batch of index rows (walked in keyset order) becomes one UPDATE per referrer type and field.
 * The `*Batch` methods do one batch in the given transaction (queue mode commits each);
 * the others loop over every batch in one transaction: sync mode's `PropagationStrategy`.
 */
@Injectable()
export class Propagator implements PropagationStrategy {
  private readonly logger = new Logger('ReferencesPropagator');
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
  private boundWaits(manager: EntityManager): Promise<void> {
    return this.dialect.boundWaits(manager, { lockTimeoutMs: this.lockTimeoutMs });
  }

  /**
   * Refreshes the inline copies in the next batch of referrers of `target` after index row `after` (up to
   * index row `until`, for a slice of a fan-out).
   */
  async refreshBatch(manager: EntityManager, target: TargetState, after: number, options: { until?: number } = {}): Promise<BatchResult> {
    const rows = await this.index.batchAfter(manager, target.reference, after, this.batchSize, { inline: true, until: options.until });
    return { cursor: rows.at(-1)?.id, changed: await this.refreshRows(manager, target, rows) };
  }

  /** Refreshes the inline copies that these index rows point at: one statement per referrer type and path. */
  async refreshRows(manager: EntityManager, target: TargetState, rows: IndexRow[]): Promise<ChangedReferrers> {
    const changed: ChangedReferrers = new Map();
    for (const [type, byPath] of this.groupByTypeAndPath(rows)) {
      const contents = new Map<ReferenceFieldMetadata, string>();
      for (const group of byPath.values()) {
        const field = group.field;
        if (!field || field.kind !== 'inline') continue;
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
   * Sync mode: every batch of a content change, each followed by the referrers that changed in turn
   * (transitive), then the link referrers of the target (reported, not written). With `collect` false the
   * changed ids are not kept (a fan-out to millions stays small).
   */
  async contentChanged(manager: EntityManager, target: TargetState, collect = true, hops = 0): Promise<ChangedReferrers> {
    if (hops === 0) await this.boundWaits(manager);
    const changed = await this.untilDone(manager, (after) => this.refreshBatch(manager, target, after), collect, hops);
    await this.reindexLinkReferrers(manager, target.reference, collect ? changed : undefined);
    return changed;
  }

  /** Sync mode: a whole rename, then the index rows, then the inline referrers that changed in turn. */
  async referenceChanged(manager: EntityManager, oldUrl: string, newUrl: string, collect = true): Promise<ChangedReferrers> {
    await this.boundWaits(manager);
    const changed = await this.untilDone(manager, (after) => this.renameBatch(manager, oldUrl, newUrl, after), collect, 0);
    await this.index.renameReference(manager, oldUrl, newUrl);
    const local = this.registry.resolve(newUrl);
    if (local) {
      const record = await this.loader.load(manager, local.type, local.id, { by: 'key' });
      if (record) {
        const target = { reference: newUrl, representation: local.type.representationOf(record), type: local.type };
        mergeChanged(changed, await this.contentChanged(manager, target, collect));
      }
    }
    return changed;
  }

  /** Sync mode: every `detach` referrer of a deleted record, then the referrers that changed in turn. */
  async targetDeleted(manager: EntityManager, reference: string, collect = true): Promise<ChangedReferrers> {
    await this.boundWaits(manager);
    return this.untilDone(manager, (after) => this.detachBatch(manager, reference, after), collect, 0);
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

  private async untilDone(
    manager: EntityManager,
    batch: (after: number) => Promise<BatchResult>,
    collect: boolean,
    hops: number,
  ): Promise<ChangedReferrers> {
    const changed: ChangedReferrers = new Map();
    const probe: InlineProbe = new Map();
    for (let after = 0; ; ) {
      const result = await batch(after);
      if (collect) mergeChanged(changed, result.changed);
      const next = await this.nextTargets(manager, result.changed, probe);
      if (next.length && hops >= MAX_PROPAGATION_HOPS) {
        this.logger.warn(`Propagation stopped after ${hops} hops at ${next[0].reference}: check for a cycle without a depth limit`);
      } else {
        for (const target of next) {
          const further = await this.contentChanged(manager, target, collect, hops + 1);
          if (collect) mergeChanged(changed, further);
        }
      }
      if (result.cursor === undefined) return changed;
      after = result.cursor;
    }
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

function addChanged(changed: ChangedReferrers, type: ReferenceType, ids: Iterable<string>) {
  const set = changed.get(type) ?? changed.set(type, new Set()).get(type)!;
  for (const id of ids) set.add(id);
}

export function mergeChanged(into: ChangedReferrers, from: ChangedReferrers) {
  for (const [type, ids] of from) addChanged(into, type, ids);
}
