import { Inject, Injectable } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { ReferencesService } from '../references.service.js';
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

/**
 * The explorer's actions, one entry each; the pages show a button per entry and the controller runs them by name.
 *
 * NOTE: "retry failed" belongs here once the operator API of stuck and failed propagations has landed in
 * `ReferencesService`: an entry whose `run` calls it. Not before: a button that cannot work is worse than none.
 */
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
          const references = this.parts.get(ReferencesService);
          const updated = await references.refresh(url);
          const queued = queueOf(this.parts, this.options.dataSource) !== undefined;
          this.activity.add({ kind: 'refresh', reference: url, detail: queued ? 'queued for the workers' : `${updated.length} referrers updated` });
        },
      },
    ];
  }

  find(name: string): ExplorerAction | undefined {
    return this.list.find((action) => action.name === name);
  }
}
