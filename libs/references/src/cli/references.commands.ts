import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import type { ReferencesService } from '../references.service.js';
import { getReferencesServiceToken } from '../references.tokens.js';
import { ProgressReporter } from './progress-reporter.js';

const print = (line: string) => process.stdout.write(line + '\n');

/** Index rows `references referrers` reads per statement. */
const REFERRERS_PAGE = 1000;

function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** Stops the run cleanly on Ctrl-C: the current batch commits, and a re-run continues from there. */
function interruptible(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = () => {
    process.stderr.write('\nStopping after the current batch…\n');
    controller.abort();
  };
  process.once('SIGINT', stop);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', stop) };
}

/** The option every command takes. */
interface DataSourceOption {
  dataSource?: string;
}

/** A `references` command: it works on the default data source, or on the one `--data-source` names. */
// NOTE: decorated so that TypeScript records its constructor's parameter types, which the commands inherit.
@Injectable()
abstract class DataSourceCommand extends CommandRunner {
  constructor(private readonly moduleRef: ModuleRef) {
    super();
  }

  protected references(options: DataSourceOption): ReferencesService {
    try {
      return this.moduleRef.get<ReferencesService>(getReferencesServiceToken(options.dataSource) as string, { strict: false });
    } catch {
      throw new Error(`no ReferencesModule.forRoot() for the data source "${options.dataSource ?? 'default'}"`);
    }
  }

  @Option({ flags: '--data-source <name>', description: 'the TypeORM data source (when the app has several)' })
  parseDataSource(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'synchronize', description: 'Rebuild the reference index from every reference-enabled record' })
export class SynchronizeCommand extends DataSourceCommand {

  async run(_args: string[], options: DataSourceOption & { clear?: boolean; batch?: number }): Promise<void> {
    const progress = new ProgressReporter('synchronize');
    const { signal, dispose } = interruptible();
    try {
      const result = await this.references(options).synchronize({
        clear: options.clear,
        batchSize: options.batch,
        signal,
        onProgress: (done, total) => progress.update(done, total),
      });
      progress.stop();
      print(`${signal.aborted ? 'Stopped' : 'Synchronized'}: ${result.records} records, ${result.references} references.`);
      for (const row of result.invalid) print(`  unreadable: ${row.referrerType}/${row.referrerId}: ${row.reason}`);
    } finally {
      dispose();
    }
  }

  @Option({ flags: '--clear', description: 'empty the index first' })
  parseClear(): boolean {
    return true;
  }

  @Option({ flags: '--batch <n>', description: 'records per batch' })
  parseBatch(value: string): number {
    return positiveInteger('--batch', value);
  }
}

@SubCommand({ name: 'verify', description: 'Report missing and extra index rows, stale copies and dangling references (exit 1 on drift)' })
export class VerifyCommand extends DataSourceCommand {

  async run(_args: string[], options: DataSourceOption & { json?: boolean; limit?: number }): Promise<void> {
    // NOTE: the text report shows 10 rows a kind, so it asks for no more; the JSON one for --limit (or the library's default).
    const report = await this.references(options).verify({ limit: options.limit ?? (options.json ? undefined : 10) });
    if (options.json) print(JSON.stringify(report, null, 2));
    else {
      print(`Checked ${report.records} records.`);
      const kinds = [['missing', 'missing'], ['extra', 'extra'], ['stale', 'stale'], ['dangling', 'dangling'], ['non-canonical', 'nonCanonical']] as const;
      for (const [name, kind] of kinds) {
        const rows = report[kind];
        print(`  ${name.padEnd(13)} ${report.totals[kind]}`);
        for (const row of rows.slice(0, 10)) print(`    ${row.referrerType}/${row.referrerId} ${row.path} → ${row.reference}`);
        if (report.totals[kind] > Math.min(rows.length, 10)) print(`    … and ${report.totals[kind] - Math.min(rows.length, 10)} more`);
      }
      print(`  ${'invalid'.padEnd(13)} ${report.totals.invalid}`);
      for (const row of report.invalid.slice(0, 10)) print(`    ${row.referrerType}/${row.referrerId}: ${row.reason}`);
      print(
        report.ok
          ? 'The index and the inline copies are consistent.'
          : "Drift found: run 'references synchronize', 'references refresh --stale' and 'references repair'.",
      );
    }
    if (!report.ok) process.exitCode = 1;
  }

  @Option({ flags: '--json', description: 'print the report as JSON' })
  parseJson(): boolean {
    return true;
  }

  @Option({ flags: '--limit <n>', description: 'rows kept per kind (the totals count them all)' })
  parseLimit(value: string): number {
    return positiveInteger('--limit', value);
  }
}

@SubCommand({ name: 'referrers', arguments: '<url>', description: 'List the records that reference a URL' })
export class ReferrersCommand extends DataSourceCommand {

  async run([url]: string[], options: DataSourceOption & { prefix?: boolean }): Promise<void> {
    // NOTE: a page at a time by cursor: the process holds one page, however many referrers there are.
    let count = 0;
    for (let cursor: string | undefined; ; ) {
      const page = await this.references(options).getReferrersPage(url, { match: options.prefix ? 'prefix' : 'exact', limit: REFERRERS_PAGE, cursor });
      for (const row of page.rows) print(`${row.referrerType}/${row.referrerId}\t${row.inline ? 'inline' : 'link'}\t${row.path}\t${row.reference}`);
      count += page.rows.length;
      if (!page.next) break;
      cursor = page.next;
    }
    process.stderr.write(`${count} reference(s)\n`);
  }

  @Option({ flags: '--prefix', description: 'match every URL that starts with <url>' })
  parsePrefix(): boolean {
    return true;
  }
}

@SubCommand({ name: 'rename', arguments: '<old-url> <new-url>', description: 'Rewrite every reference to a moved record' })
export class RenameCommand extends DataSourceCommand {

  async run([oldUrl, newUrl]: string[], options: DataSourceOption): Promise<void> {
    const updated = await this.references(options).referenceChanged(oldUrl, newUrl);
    print(`Renamed ${oldUrl} → ${newUrl}: ${updated.length} referrer(s) updated${updated.length ? '' : ' (or queued)'}.`);
  }
}

@SubCommand({ name: 'rebase', arguments: '<new-base-url>', description: 'Move every stored reference to a new base URL, then record it' })
export class RebaseCommand extends DataSourceCommand {

  async run([newBaseUrl]: string[], options: DataSourceOption & { batch?: number }): Promise<void> {
    const progress = new ProgressReporter('rebase');
    const { signal, dispose } = interruptible();
    try {
      const result = await this.references(options).rebase(newBaseUrl, { batchSize: options.batch, signal, onProgress: (done, total) => progress.update(done, total) });
      progress.stop();
      if (result.done) print(`Rebased ${result.from} → ${result.to}: ${result.records} records, ${result.references} references rewritten.`);
      else print(`Stopped: ${result.records} records rewritten; run the same command again to finish (the stored base URL is still ${result.from}).`);
    } finally {
      dispose();
    }
  }

  @Option({ flags: '--batch <n>', description: 'records per batch' })
  parseBatch(value: string): number {
    return positiveInteger('--batch', value);
  }
}

@SubCommand({ name: 'repair', description: 'Write again every record verify finds with a reference in a non-canonical spelling' })
export class RepairCommand extends DataSourceCommand {

  async run(_args: string[], options: DataSourceOption): Promise<void> {
    const result = await this.references(options).repair();
    print(`Repaired ${result.repaired.length} record(s).`);
    for (const failed of result.failed) print(`  not repaired: ${failed.referrerType}/${failed.referrerId}: ${failed.reason}`);
    if (result.failed.length) process.exitCode = 1;
  }
}

@SubCommand({ name: 'refresh', arguments: '[url]', description: 'Propagate a target again, or every target verify finds stale (--stale)' })
export class RefreshCommand extends DataSourceCommand {

  async run([url]: string[], options: DataSourceOption & { stale?: boolean }): Promise<void> {
    if (!url && !options.stale) throw new Error('refresh needs a <url> or --stale');
    const targets = url ? [url] : [...new Set((await this.references(options).verify({ limit: Number.MAX_SAFE_INTEGER })).stale.map((row) => row.reference))];
    const progress = new ProgressReporter('refresh');
    const { signal, dispose } = interruptible();
    let done = 0;
    try {
      for (const target of targets) {
        if (signal.aborted) break;
        await this.references(options).refresh(target);
        progress.update(++done, targets.length);
      }
    } finally {
      dispose();
      progress.stop();
    }
    await this.references(options).waitForIdle(10 * 60_000);
    print(`Refreshed ${done} of ${targets.length} target(s).`);
  }

  @Option({ flags: '--stale', description: 'every target with a stale copy' })
  parseStale(): boolean {
    return true;
  }
}

@SubCommand({ name: 'failed', description: 'List the propagations that failed for good (queue mode): target, referrer, path, reason' })
export class FailedCommand extends DataSourceCommand {

  async run(_args: string[], options: DataSourceOption & { json?: boolean }): Promise<void> {
    const references = this.references(options);
    let count = 0;
    for (let cursor: string | undefined; ; ) {
      const page = await references.failedPropagations({ limit: 1000, cursor });
      for (const item of page.items) {
        if (options.json) print(JSON.stringify(item));
        else {
          const referrer = item.referrerType ? `${item.referrerType}/${item.referrerId} at ${item.path}` : '(the whole change)';
          print(`${item.id}\t${item.reference}\t${referrer}\t${item.attempts} attempt(s) since ${item.since.toISOString()}\t${item.reason ?? ''}`);
        }
      }
      count += page.items.length;
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    if (!options.json) print(count ? `${count} failed propagation(s): fix the cause, then run 'references retry --all' (or 'references retry <id…>').` : 'No failed propagation.');
  }

  @Option({ flags: '--json', description: 'one JSON object a line' })
  parseJson(): boolean {
    return true;
  }
}

@SubCommand({ name: 'retry', arguments: '[ids...]', description: 'Run failed propagations again (ids from "references failed", or --all)' })
export class RetryCommand extends DataSourceCommand {

  async run(ids: string[], options: DataSourceOption & { all?: boolean }): Promise<void> {
    if (options.all && ids.length) throw new Error('retry takes <id…> or --all, not both');
    if (!options.all && !ids.length) throw new Error('retry needs <id…> or --all');
    const reopened = await this.references(options).retryFailed(options.all ? 'all' : ids.map((id) => positiveInteger('<id>', id)));
    print(`Reopened ${reopened.length} failed propagation(s)${reopened.length ? `: ${reopened.join(', ')}; the workers take them within a sweep` : ''}.`);
    if (!options.all && reopened.length < ids.length) {
      const missing = ids.filter((id) => !reopened.includes(Number(id)));
      print(`  not failed (or unknown): ${missing.join(', ')}`);
      process.exitCode = 1;
    }
  }

  @Option({ flags: '--all', description: 'every failed propagation' })
  parseAll(): boolean {
    return true;
  }
}

@Command({
  name: 'references',
  description: 'Maintain the reference index of nestjs-references',
  subCommands: [
    SynchronizeCommand,
    VerifyCommand,
    ReferrersCommand,
    RenameCommand,
    RefreshCommand,
    RebaseCommand,
    RepairCommand,
    FailedCommand,
    RetryCommand,
  ],
})
export class ReferencesCommand extends CommandRunner {
  async run([name]: string[]): Promise<void> {
    // NOTE: commander hands an unknown subcommand to the parent as an argument; help and exit 0 would hide the typo.
    if (name !== undefined) {
      const known = this.command.commands.map((command) => command.name()).join(', ');
      throw new Error(`unknown command "references ${name}" (the commands are ${known})`);
    }
    this.command.help();
  }
}
