import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bull';
import { defer, Observable, of, Subject, concat, from } from 'rxjs';
import { ReferenceOutbox } from '../outbox/reference-outbox.service.js';
import { ReferrersNotifier } from '../propagation/referrers-notifier.service.js';
import { REFERENCES_DATABASE_ID } from '../references.constants.js';
import { getReferencesQueueToken } from '../references.tokens.js';
import { EXPLORER_OPTIONS, EXPLORER_REFERENCES } from './explorer.constants.js';
import type { ExplorerActivityEntry, ReferencesExplorerOptions } from './references-explorer-options.interface.js';

/** A message of the explorer's event stream (what Nest's `@Sse()` sends). */
export type ExplorerMessage =
  | { data: ExplorerActivityEntry; id: string; type: 'activity' }
  /** The first message of every stream: the page is subscribed from then on, nothing after it is missed. */
  | { data: { since: number }; type: 'ready' };

/** What an ended propagation did, by the kind of its outbox row. */
const DONE: Record<string, string> = { content: 'copies updated', rename: 'references renamed', detach: 'referrers detached' };

/** A Bull job id of an outbox row: `outbox-<database id>-<row id>` (see the queue's dispatcher). */
const OUTBOX_JOB = /^outbox-(.+)-(\d+)$/;

/**
 * The explorer's feed of propagation activity, kept in memory (the latest entries) and streamed to open pages.
 *
 * Two sources, so that the API process hears of work done anywhere:
 * - this process's deliveries of `references.referrers-updated` (`ReferrersNotifier.listen`): sync mode, and the
 *   jobs of a worker running in this process;
 * - in queue mode, Bull's global events of the references queue: Redis pub/sub on the connection queue mode
 *   already has, published by Bull itself when any worker process finishes a job. Nothing has to be
 *   installed in the workers for it, and a worker that dies mid-job simply reports later, when its job ends.
 */
@Injectable()
export class ExplorerActivity implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ReferencesExplorer');
  private readonly entries: ExplorerActivityEntry[] = [];
  private readonly feed = new Subject<ExplorerMessage>();
  private nextId = 1;
  private stops: Array<() => void> = [];

  constructor(
    @Inject(EXPLORER_REFERENCES) private readonly parts: ModuleRef,
    @Inject(EXPLORER_OPTIONS) private readonly options: Required<Pick<ReferencesExplorerOptions, 'activityKept'>> & ReferencesExplorerOptions,
  ) {}

  onApplicationBootstrap(): void {
    const stopListening = this.parts.get(ReferrersNotifier).listen((event) => this.add({ kind: 'referrers-updated', ...event }));
    this.stops.push(stopListening);
    const queue = queueOf(this.parts, this.options.dataSource);
    if (queue) this.followQueue(queue);
  }

  onModuleDestroy(): void {
    for (const stop of this.stops) stop();
    this.feed.complete();
  }

  /** The latest entries, oldest first. */
  recent(): ExplorerActivityEntry[] {
    return [...this.entries];
  }

  /**
   * Every entry from now on, as server-sent events, after a `ready` message. A browser that reconnects sends
   * the id of the last entry it had (`Last-Event-ID`): the entries it missed meanwhile come first, from memory.
   */
  stream(lastEventId?: string): Observable<ExplorerMessage> {
    return defer(() => {
      const after = Number(lastEventId);
      const missed = Number.isInteger(after) && after > 0 ? this.entries.filter((entry) => entry.id > after).map((entry) => this.message(entry)) : [];
      return concat(of<ExplorerMessage>({ data: { since: this.nextId - 1 }, type: 'ready' }), from(missed), this.feed);
    });
  }

  /** Records an entry and sends it to the open pages. */
  add(entry: Omit<ExplorerActivityEntry, 'id' | 'at'>): ExplorerActivityEntry {
    const full: ExplorerActivityEntry = { id: this.nextId++, at: new Date().toISOString(), ...entry };
    this.entries.push(full);
    if (this.entries.length > this.options.activityKept) this.entries.shift();
    this.feed.next(this.message(full));
    return full;
  }

  private message(entry: ExplorerActivityEntry): ExplorerMessage {
    return { data: entry, id: String(entry.id), type: 'activity' };
  }

  private followQueue(queue: Queue): void {
    const databaseId = this.parts.get<string>(REFERENCES_DATABASE_ID);
    const completed = (jobId: string) => void this.fromJob(databaseId, jobId, 'propagated');
    const failed = (jobId: string, error: string) => void this.fromJob(databaseId, jobId, 'failed', error);
    queue.on('global:completed', completed);
    queue.on('global:failed', failed);
    this.stops.push(() => {
      queue.removeListener('global:completed', completed);
      queue.removeListener('global:failed', failed);
    });
  }

  /** An entry for the outbox row of a job that ended: the job carries only the row's id, the row what it did. */
  private async fromJob(databaseId: string, jobId: string, kind: 'propagated' | 'failed', error?: string): Promise<void> {
    const match = OUTBOX_JOB.exec(String(jobId));
    if (!match || match[1] !== databaseId) return;
    try {
      const row = await this.parts.get(ReferenceOutbox).find(Number(match[2]));
      if (!row) return;
      this.add({
        kind,
        reference: row.reference,
        ...(row.newReference ? { newReference: row.newReference } : {}),
        detail: kind === 'failed' ? String(error ?? row.error ?? '') : DONE[row.kind],
      });
    } catch (failure) {
      // NOTE: the feed is a view; a database hiccup costs an entry, never the app.
      this.logger.warn(`Activity of job ${jobId} not shown: ${(failure as Error).message}`);
    }
  }
}

/** The Bull queue of the explored module in queue mode; `undefined` in sync mode, which has none. */
export function queueOf(parts: ModuleRef, dataSource?: string): Queue | undefined {
  try {
    return parts.get<Queue>(getReferencesQueueToken(dataSource));
  } catch {
    return undefined;
  }
}
