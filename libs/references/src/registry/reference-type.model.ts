import type { Type } from '@nestjs/common';
import type { EntityMetadata } from 'typeorm';
import type { ReferenceEnabledOptions, ReferenceFieldMetadata } from '../interfaces/reference-options.interface.js';

/** Everything the library knows about one `@ReferenceEnabled()` entity, resolved once at start-up. */
export interface ReferenceType {
  /** `route`, also the `referrerType` of its index rows. */
  readonly name: string;
  readonly entity: Function;
  readonly options: ReferenceEnabledOptions;
  readonly schema: Type<object>;
  /** The top-level reference properties; `fieldAt(schema, path)` finds one at any depth. */
  readonly fields: ReferenceFieldMetadata[];
  readonly entityMetadata: EntityMetadata;
  /** The entity property holding the JSON metadata. */
  readonly metadataProperty: string;
  /** Quoted SQL names, ready to put into a statement. */
  readonly sql: {
    table: string;
    id: string;
    idType: string;
    metadata: string;
    metadataType: string;
    version?: string;
    updatedAt?: string;
    /** The soft delete date column, when the entity has one. */
    deletedAt?: string;
  };
  /** The record's id as a string. */
  idOf(record: object): string;
  /** The value that names the record in its URL, as a string: the `key` column's, or the id. */
  keyOf(record: object): string;
  /** The entity property of that value (the primary key's by default). */
  readonly keyProperty: string;
  metadataOf(record: object): Record<string, any>;
  canonicalUrl(record: object): string;
  /** The canonical URL from the id alone; set when `canonicalUrl` is the default (saves loading records). */
  urlForId?: (id: string) => string;
  /** What every canonical URL of this type starts with; set when `canonicalUrl` is the default. */
  urlPrefix?: string;
  /** The id named by `url` when it is a record of this type. */
  resolve(url: string): string | undefined;
  /** Whether `id` can be a primary key of this table (a malformed id names no record). */
  isValidId(id: string): boolean;
  /** A record holding only its id and metadata (what the library reads of records with default URLs). */
  partialRecord(id: string, metadata: Record<string, any>): object;
  /**
   * `{ ...content, id, links: { self } }`: what any copy of the record may hold. The content is the
   * `representation` option's (the metadata by default) with the DTO's class-transformer rules applied.
   * Built once per target and change; every referrer field narrows it (`InlineCopies.build`).
   */
  representationOf(record: object): Record<string, any>;
  /** The top-level keys of the metadata that no copy holds (`@Exclude()`, `@Expose({ groups })` of other groups). */
  readonly withheld: ReadonlySet<string>;
}
