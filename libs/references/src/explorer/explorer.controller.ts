import { Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res, Sse, UseFilters, UseInterceptors, type Type } from '@nestjs/common';
import { finalize, type Observable } from 'rxjs';
import { ExplorerForbiddenError, ExplorerInputError } from '../errors/references.errors.js';
import { ExplorerActions } from './explorer-actions.service.js';
import { ExplorerActivity, type ExplorerMessage } from './explorer-activity.service.js';
import { EXPLORER_SCRIPT, EXPLORER_STYLES } from './explorer-assets.constants.js';
import { ExplorerExceptionFilter } from './explorer-exception.filter.js';
import { ExplorerHeadersInterceptor } from './explorer-headers.interceptor.js';
import type { ExplorerResponse } from './explorer-response.interface.js';
import { normalisePath } from './explorer-path.util.js';
import { ExplorerReader } from './explorer-reader.service.js';
import { backlog, homePage, recordLive, recordPage, touches, unknownPage } from './explorer-views.util.js';
import { EXPLORER_OPTIONS } from './explorer.constants.js';
import type { ExplorerRequest, ReferencesExplorerOptions } from './references-explorer-options.interface.js';

const HTML = 'text/html; charset=utf-8';

/** `@nestjs/swagger`'s metadata key of `@ApiExcludeController()`. */
const SWAGGER_EXCLUDE_CONTROLLER = 'swagger/apiExcludeController';

/**
 * The explorer's pages. Mounted at the path given to `forRoot()` by `explorerControllerAt()`; every answer is
 * HTML with the explorer's CSP (`ExplorerHeadersInterceptor`), errors included (`ExplorerExceptionFilter`).
 */
@UseInterceptors(ExplorerHeadersInterceptor)
@UseFilters(ExplorerExceptionFilter)
export class ExplorerController {
  constructor(
    private readonly reader: ExplorerReader,
    private readonly activity: ExplorerActivity,
    private readonly actions: ExplorerActions,
    @Inject(EXPLORER_OPTIONS) private readonly options: ReferencesExplorerOptions,
  ) {}

  /** The search (`?q=` a URL or the start of one, `&cursor=`), the backlog and the latest activity. */
  @Get()
  async home(@Query('q') q: string | undefined, @Query('cursor') cursor: string | undefined, @Res({ passthrough: true }) response: ExplorerResponse): Promise<string | void> {
    const base = this.base;
    if (q && !cursor) {
      // NOTE: a record's exact URL goes straight to its page.
      const exact = await this.reader.record(q).catch(() => undefined);
      if (exact && 'document' in exact) return response.redirect(303, `${base}/record?${new URLSearchParams({ url: exact.url })}`);
    }
    // NOTE: an empty search is no search (the form sends `q=` when submitted empty).
    const [status, found] = await Promise.all([this.reader.status(), q?.trim() ? this.reader.find(q, cursor) : undefined]);
    response.setHeader('Content-Type', HTML);
    return homePage(base, status, this.activity.recent(), found);
  }

  /** The backlog's figures alone (the home page's live refresh). */
  @Get('backlog')
  async backlog(@Res({ passthrough: true }) response: ExplorerResponse): Promise<string> {
    response.setHeader('Content-Type', HTML);
    return backlog(await this.reader.status()).value;
  }

  /** A record: what it holds, who holds it, its activity; 404 with a page that says so for an unknown URL. */
  @Get('record')
  async record(
    @Query('url') url: string | undefined,
    @Query('cursor') cursor: string | undefined,
    @Query('done') done: string | undefined,
    @Res({ passthrough: true }) response: ExplorerResponse,
  ): Promise<string> {
    response.setHeader('Content-Type', HTML);
    const view = await this.reader.record(url, cursor);
    if (!('document' in view)) {
      response.status(404);
      return unknownPage(this.base, view);
    }
    const activity = this.activity.recent().filter((entry) => touches(entry, view));
    const notice = done && this.actions.find(done) ? `${this.actions.find(done)!.label}: done.` : undefined;
    return recordPage(this.base, view, activity, this.actions.list, notice);
  }

  /** The parts of the record page that propagation changes (the page's live refresh). */
  @Get('record/live')
  async recordLive(@Query('url') url: string | undefined, @Query('cursor') cursor: string | undefined, @Res({ passthrough: true }) response: ExplorerResponse): Promise<string> {
    response.setHeader('Content-Type', HTML);
    const view = await this.reader.record(url, cursor);
    if (!('document' in view)) {
      response.status(404);
      return '';
    }
    return recordLive(this.base, view).value;
  }

  /** Propagation activity as it happens, from this process and (queue mode) every worker. */
  @Sse('events')
  events(@Headers('last-event-id') lastEventId: string | undefined, @Req() request: { socket?: { end(): void } }): Observable<ExplorerMessage> {
    // NOTE: a stream ends when the app shuts down (or the page leaves); its connection goes with it, so that a
    // closing server does not wait for a keep-alive socket a browser may send its reconnection on.
    return this.activity.stream(lastEventId).pipe(finalize(() => setImmediate(() => request.socket?.end())));
  }

  @Get('assets/explorer.js')
  script(@Res({ passthrough: true }) response: ExplorerResponse): string {
    response.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    return EXPLORER_SCRIPT;
  }

  @Get('assets/explorer.css')
  styles(@Res({ passthrough: true }) response: ExplorerResponse): string {
    response.setHeader('Content-Type', 'text/css; charset=utf-8');
    return EXPLORER_STYLES;
  }

  /** Runs an action on the record at `?url=`: for a request that `authorize` accepts only (403 otherwise). */
  @Post('actions/:name')
  @HttpCode(303)
  async act(@Param('name') name: string, @Query('url') url: string | undefined, @Req() request: ExplorerRequest, @Res({ passthrough: true }) response: ExplorerResponse): Promise<void> {
    const action = this.actions.find(name);
    if (!action) throw new ExplorerInputError('name', `no action is called ${JSON.stringify(name.slice(0, 40))}`);
    if (!(await this.options.authorize?.(request))) throw new ExplorerForbiddenError(name);
    const canonical = this.reader.canonical(url, 'url');
    await action.run(canonical);
    response.setHeader('Location', `${this.base}/record?${new URLSearchParams({ url: canonical, done: name })}`);
  }

  private get base(): string {
    return normalisePath(this.options.path);
  }
}

/** The controller mounted at `path`: a subclass per mount, so that two mounts never share route metadata. */
export function explorerControllerAt(path: string): Type<ExplorerController> {
  class MountedExplorerController extends ExplorerController {}
  Controller(normalisePath(path) || '/')(MountedExplorerController);
  // NOTE: pages, not an API: left out of an app's OpenAPI document (what @ApiExcludeController() writes;
  // @nestjs/swagger is an optional peer, so its metadata key is written here rather than its decorator).
  Reflect.defineMetadata(SWAGGER_EXCLUDE_CONTROLLER, [true], MountedExplorerController);
  return MountedExplorerController;
}
