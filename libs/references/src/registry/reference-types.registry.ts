import { Inject, Injectable, type OnModuleInit, type Provider } from '@nestjs/common';
import type { DataSource, EntityMetadata } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { ReferencesMetadataAccessor } from '../decorators/references-metadata.accessor.js';
import { ReferencesConfigurationError } from '../errors/references.errors.js';
import { representationRules } from '../extraction/representation.util.js';
import type { ResolvedBaseUrl } from '../settings/base-url.provider.js';
import { REFERENCE_TYPES, REFERENCES_BASE_URL, REFERENCES_DATA_SOURCE } from '../references.constants.js';
import type { ReferenceType } from './reference-type.model.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The `@ReferenceEnabled()` entities of the data source, discovered from TypeORM's own entity metadata
 * (so entities loaded by `autoLoadEntities` or listed by hand are found alike).
 */
@Injectable()
export class ReferenceTypesRegistry implements OnModuleInit {
  private byName?: Map<string, ReferenceType>;
  private byEntity?: Map<Function, ReferenceType>;

  constructor(
    @Inject(REFERENCES_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(REFERENCES_BASE_URL) private readonly base: ResolvedBaseUrl,
  ) {}

  /** Describes every type at start-up, so that a misconfigured entity stops the app before it serves. */
  onModuleInit(): void {
    this.load();
  }

  get types(): ReferenceType[] {
    return [...this.load().byName.values()];
  }

  forName(name: string): ReferenceType | undefined {
    return this.load().byName.get(name);
  }

  forEntity(entity: Function): ReferenceType | undefined {
    return this.load().byEntity.get(entity);
  }

  /** The local record a URL names, if any. */
  resolve(url: string): { type: ReferenceType; id: string } | undefined {
    for (const type of this.load().byName.values()) {
      const id = type.resolve(url);
      if (id !== undefined && type.isValidId(id)) return { type, id };
    }
    return undefined;
  }

  private load() {
    if (!this.byName || !this.byEntity) {
      const types = this.dataSource.entityMetadatas
        .filter((m) => typeof m.target === 'function' && ReferencesMetadataAccessor.getEntityOptions(m.target))
        .map((m) => this.describe(m));
      this.byName = new Map();
      for (const type of types) {
        if (this.byName.has(type.name)) {
          throw new ReferencesConfigurationError(`Two reference-enabled entities share the route "${type.name}"`);
        }
        this.byName.set(type.name, type);
      }
      this.byEntity = new Map(types.map((t) => [t.entity, t]));
    }
    return { byName: this.byName, byEntity: this.byEntity! };
  }

  private describe(metadata: EntityMetadata): ReferenceType {
    const entity = metadata.target as Function;
    const options = ReferencesMetadataAccessor.getEntityOptions(entity)!;
    const driver = this.dataSource.driver;
    const quote = (name: string) => driver.escape(name);
    const [primary, ...more] = metadata.primaryColumns;
    if (!primary || more.length) {
      throw new ReferencesConfigurationError(`${metadata.name}: a reference-enabled entity needs exactly one primary column`);
    }
    const metadataColumn = metadata.findColumnWithPropertyName(options.metadata!);
    if (!metadataColumn) {
      throw new ReferencesConfigurationError(`${metadata.name}: no column for the metadata property "${options.metadata}"`);
    }
    const keyColumn = options.key === undefined ? primary : metadata.findColumnWithPropertyName(options.key);
    if (!keyColumn) throw new ReferencesConfigurationError(`${metadata.name}: no column for the key property "${options.key}"`);
    if (keyColumn !== primary && !isUnique(metadata, keyColumn)) {
      throw new ReferencesConfigurationError(`${metadata.name}: the key "${options.key}" must be a unique column (@Column({ unique: true }))`);
    }
    const baseUrl = this.base.url;
    const route = options.route;
    const prefix = `${baseUrl}/${route}/`;
    const idOf = (record: object) => String(primary.getEntityValue(record));
    const keyOf = (record: object) => String(keyColumn.getEntityValue(record));
    const metadataOf = (record: object) => (metadataColumn.getEntityValue(record) ?? {}) as Record<string, any>;
    const canonicalUrl = options.canonicalUrl
      ? (record: object) => options.canonicalUrl!(record, baseUrl)
      : (record: object) => prefix + encodeURIComponent(keyOf(record));
    const resolve = options.resolve
      ? (url: string) => options.resolve!(url, baseUrl)
      : (url: string) => {
          if (!url.startsWith(prefix)) return undefined;
          const rest = url.slice(prefix.length);
          return rest && !rest.includes('/') && !rest.includes('?') && !rest.includes('#')
            ? decodeURIComponent(rest)
            : undefined;
        };
    const idType = driver.normalizeType(primary);
    const keyType = driver.normalizeType(keyColumn);
    // NOTE: a URL whose last segment cannot be a key of this table (`…/terms/not-a-uuid`) names no record.
    const isValidId =
      keyType === 'uuid'
        ? (id: string) => UUID.test(id)
        : /int|serial/.test(keyType)
          ? (id: string) => /^-?\d{1,18}$/.test(id)
          : () => true;
    // NOTE: resolved once per type: a DTO without class-transformer rules costs nothing per copy.
    const rules = representationRules(options.schema, options.groups);
    const contentOf = options.representation ?? metadataOf;
    const represented = rules ? (record: object) => rules.apply(contentOf(record)) : contentOf;
    const table = metadata.tablePath.split('.').map(quote).join('.');
    return {
      name: route,
      entity,
      options,
      schema: options.schema,
      fields: ReferencesMetadataAccessor.getFields(options.schema),
      entityMetadata: metadata,
      metadataProperty: options.metadata!,
      sql: {
        table,
        id: quote(primary.databaseName),
        idType,
        metadata: quote(metadataColumn.databaseName),
        metadataType: driver.normalizeType(metadataColumn),
        version: metadata.versionColumn ? quote(metadata.versionColumn.databaseName) : undefined,
        updatedAt: metadata.updateDateColumn ? quote(metadata.updateDateColumn.databaseName) : undefined,
        deletedAt: metadata.deleteDateColumn ? quote(metadata.deleteDateColumn.databaseName) : undefined,
      },
      idOf,
      keyOf,
      keyProperty: keyColumn.propertyName,
      metadataOf,
      canonicalUrl,
      // NOTE: only when the URL is built from the id: then a record's URL needs no read of the record.
      urlForId: options.canonicalUrl || keyColumn !== primary ? undefined : (id: string) => prefix + encodeURIComponent(id),
      urlPrefix: options.canonicalUrl ? undefined : prefix,
      resolve,
      isValidId,
      partialRecord: (id, metadataValue) => {
        const record = Object.create((entity as Function).prototype);
        primary.setEntityValue(record, id);
        metadataColumn.setEntityValue(record, metadataValue);
        return record;
      },
      withheld: rules?.withheld ?? new Set(),
      representationOf: (record) => ({
        ...represented(record),
        id: idOf(record),
        links: { self: canonicalUrl(record) },
      }),
    };
  }
}

/** The registry under `REFERENCE_TYPES`, for the parts that come before the registry room. */
export const referenceTypesProvider: Provider = { provide: REFERENCE_TYPES, useExisting: ReferenceTypesRegistry };

/** Whether a column alone is unique: a unique constraint or a unique index on it and nothing else. */
function isUnique(metadata: EntityMetadata, column: ColumnMetadata): boolean {
  const alone = (columns: ColumnMetadata[]) => columns.length === 1 && columns[0] === column;
  return metadata.uniques.some((u) => alone(u.columns)) || metadata.indices.some((i) => i.isUnique && alone(i.columns));
}
