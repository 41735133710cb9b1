import { Inject, Injectable } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { ReferencesMaintenance } from '../maintenance/references-maintenance.service.js';
import { ExplorerActivity, queueOf } from './explorer-activity.service.js';
import { EXPLORER_OPTIONS, EXPLORER_REFERENCES } from './explorer.constants.js';
import type { ReferencesExplorerOptions } from './references-explorer-options.interface.js';

/** One action the explorer offers to holders of the write permission: a POST to `<path>/actions/<name>`. */
export interface ExplorerAction {
  name: string;
  /** The button's text. */
  label: string;
  /** What the button says it does. */
  description: string;
  /** Runs it on the record at `url` (canonical). */
  run(url: string): Promise<void>;
}

/** Failed propagations of one target reopened by one action, at most (the rest by the CLI's `retry --all`). */
const RETRY_AT_MOST = 10_000;

/** The explorer's actions, one entry each; the pages show a button per entry and the controller runs them by name. */
@Injectable()
export class ExplorerActions {
  readonly list: ExplorerAction[];

  constructor(
    @Inject(EXPLORER_REFERENCES) private readonly parts: ModuleRef,
    private readonly activity: ExplorerActivity,
    @Inject(EXPLORER_OPTIONS) private readonly options: ReferencesExplorerOptions,
  ) {
    this.list = [
      {
        name: 'refresh',
        label: 'Refresh this target',
        description: 'propagates its current content again to every inline copy of it (what verify reports stale)',
        run: async (url) => {
          const updated = await this.parts.get(ReferencesMaintenance).refresh(url);
          const queued = queueOf(this.parts, this.options.dataSource) !== undefined;
          this.activity.add({ kind: 'refresh', reference: url, detail: queued ? 'queued for the workers' : `${updated.length} referrers updated` });
        },
      },
      {
        name: 'retry-failed',
        label: 'Retry failed propagations',
        description: "runs again the propagations of this target's changes that failed for good (references failed lists them; queue mode)",
        run: async (url) => {
          const maintenance = this.parts.get(ReferencesMaintenance);
          const { items } = await maintenance.failedPropagations({ reference: url, limit: RETRY_AT_MOST });
          const reopened = await maintenance.retryFailed(items.map((item) => item.id));
          this.activity.add({ kind: 'retry', reference: url, detail: `${reopened.length} failed propagations reopened` });
        },
      },
    ];
  }

  find(name: string): ExplorerAction | undefined {
    return this.list.find((action) => action.name === name);
  }
}
