import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Query, type Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { ReferenceRow } from 'nestjs-references';
import { WriteAccess } from '../auth/write-access.decorator.js';
import { ReferrerPage, ReferrerPages } from '../references/referrer-pages.service.js';
import { ReferrersQuery } from '../references/referrers-query.dto.js';
import { REFERRERS_AFTER_PUT } from './api-docs.js';
import { ErrorBody } from './error-body.dto.js';
import { pageOf, type Page } from './page.dto.js';
import { RecordPageQuery } from './record-page-query.dto.js';
import { recordOf } from './record.dto.js';
import type { RecordStore, Representation } from './record-store.js';

/** What tells one record type's routes from another's. */
export interface RecordsControllerOptions {
  /** The route of the type, e.g. `terms`. */
  route: string;
  /** One record, in the docs' sentences, e.g. `term`. */
  label: string;
  /** The schema name of one record in the OpenAPI document, e.g. `Term` (its page is `TermPage`). */
  schemaName: string;
  /** The store of the type, injected into the controller. */
  store: Type<RecordStore<any, any>>;
  /** The DTO of a POST and PUT body. */
  metadata: Type;
  /** Whether the list also searches (`q`), paged by offset, with no `next`. @default false */
  searchable?: boolean;
  /** The DTO of the list's query. @default RecordPageQuery */
  listQuery?: Type<RecordPageQuery>;
  /** What the list's 200 says. @default 'A page of <route> in the order of their ids: { items, next, total, totalExact }' */
  listDescription?: string;
  /** What the list's 400 says. @default 'A bad limit, offset or cursor (a cursor does not go with offset)' */
  listBadRequest?: string;
}

/**
 * The controller of one record type at `/<route>`: list, get, create, replace, delete and the referrers of a
 * record, answered as `{ ...metadata, id, links: { self } }`, each route with its validation and its OpenAPI
 * description written once for every type.
 *
 * @example
 * export const TermsController = createRecordsController({ route: 'terms', label: 'term', schemaName: 'Term', store: TermsService, metadata: TermMetadata });
 */
export function createRecordsController(options: RecordsControllerOptions): Type {
  const { route, label, store, metadata } = options;
  const listQuery = options.listQuery ?? RecordPageQuery;
  const record = recordOf(metadata, options.schemaName);
  const page = pageOf(record, `${options.schemaName}Page`, { searchable: options.searchable });
  const badMetadata = { description: 'The metadata is invalid; the message names the field', type: ErrorBody };
  const unknownReference = { description: 'A reference names a local record that does not exist', type: ErrorBody };
  const notFound = { description: `No ${label} has this id`, type: ErrorBody };
  const badId = { description: 'The id is not a uuid', type: ErrorBody };

  @ApiTags(route)
  @Controller(route)
  class RecordsController {
    constructor(
      @Inject(store) private readonly records: RecordStore<object, any>,
      @Inject(ReferrerPages) private readonly referrerPages: ReferrerPages,
    ) {}

    @Get()
    @ApiOkResponse({ description: options.listDescription ?? `A page of ${route} in the order of their ids: { items, next, total, totalExact }`, type: page })
    @ApiBadRequestResponse({ description: options.listBadRequest ?? 'A bad limit, offset or cursor (a cursor does not go with offset)', type: ErrorBody })
    list(@Query() query: RecordPageQuery): Promise<Page> {
      return this.records.list(query);
    }

    @Get(':id')
    @ApiOkResponse({ description: `The ${label}`, type: record })
    @ApiNotFoundResponse(notFound)
    @ApiBadRequestResponse(badId)
    get(@Param('id', ParseUUIDPipe) id: string): Promise<Representation> {
      return this.records.get(id);
    }

    @Get(':id/referrers')
    @ApiOkResponse({
      description:
        `Who references this ${label}: a page of the index rows whose reference is its URL, { items, next, total, totalExact }, ` +
        'in the order the references were indexed',
      type: ReferrerPage,
    })
    @ApiNotFoundResponse(notFound)
    @ApiBadRequestResponse({ description: 'The id is not a uuid, or a bad limit, offset or cursor (a cursor does not go with offset)', type: ErrorBody })
    async referrers(@Param('id', ParseUUIDPipe) id: string, @Query() query: ReferrersQuery): Promise<Page<ReferenceRow>> {
      return this.referrerPages.page(await this.records.urlOf(id), query);
    }

    @Post()
    @WriteAccess()
    @ApiCreatedResponse({ description: `The new ${label}`, type: record })
    @ApiBadRequestResponse(badMetadata)
    @ApiUnprocessableEntityResponse(unknownReference)
    create(@Body() body: object): Promise<Representation> {
      return this.records.create(body);
    }

    @Put(':id')
    @WriteAccess()
    @ApiOkResponse({ description: `The ${label} with its new metadata. ${REFERRERS_AFTER_PUT}`, type: record })
    @ApiNotFoundResponse(notFound)
    @ApiBadRequestResponse(badMetadata)
    @ApiUnprocessableEntityResponse(unknownReference)
    replace(@Param('id', ParseUUIDPipe) id: string, @Body() body: object): Promise<Representation> {
      return this.records.replace(id, body);
    }

    @Delete(':id')
    @WriteAccess()
    @HttpCode(204)
    @ApiNoContentResponse({ description: 'Deleted' })
    @ApiNotFoundResponse(notFound)
    @ApiConflictResponse({ description: 'Referrers restrict the delete: { message, referrers }; nothing was deleted', type: ErrorBody })
    async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
      await this.records.remove(id);
    }
  }

  // NOTE: the parameters' types are the type's DTOs, which a class written once cannot name: the validation pipes
  // and the OpenAPI document both read them from `design:paramtypes`.
  parameterTypes(RecordsController, 'list', [listQuery]);
  parameterTypes(RecordsController, 'create', [metadata]);
  parameterTypes(RecordsController, 'replace', [String, metadata]);
  const name = `${route[0].toUpperCase()}${route.slice(1)}Controller`;
  Object.defineProperty(RecordsController, 'name', { value: name });
  return RecordsController;
}

function parameterTypes(controller: Type, method: string, types: Type[]): void {
  Reflect.defineMetadata('design:paramtypes', types, controller.prototype, method);
}
