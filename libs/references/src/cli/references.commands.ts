import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import type { ReferenceRow } from '../interfaces/reference-row.interface.js';
import type { VerifyReport } from '../interfaces/references-reports.interface.js';
import type { ReferencesMaintenance } from '../maintenance/references-maintenance.service.js';
import type { ReferencesService } from '../references.service.js';
import { getReferencesMaintenanceToken, getReferencesServiceToken } from '../references.tokens.js';
import { ProgressReporter } from './progress-reporter.util.js';

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
    return this.part<ReferencesService>(getReferencesServiceToken(options.dataSource) as string, options);
  }

  protected maintenance(options: DataSourceOption): ReferencesMaintenance {
    return this.part<ReferencesMaintenance>(getReferencesMaintenanceToken(options.dataSource) as string, options);
  }

  private part<T>(token: string, options: DataSourceOption): T {
    try {
      return this.moduleRef.get<T>(token, { strict: false });
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
      const result = await this.maintenance(options).synchronize({
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

@SubCommand({ name: 'verify', description: 'Report missing and extra index rows, stale copies, withheld keys in copies and dangling references (exit 1 on drift)' })
export class VerifyCommand extends DataSourceCommand {

  async run(_args: string[], options: DataSourceOption & { json?: boolean; private?: boolean; limit?: number }): Promise<void> {
    // NOTE: the text report shows 10 rows a kind, so it asks for no more; the JSON one for --limit (or the library's
    // default); the leak audit lists every copy.
    const limit = options.private ? Number.MAX_SAFE_INTEGER : (options.limit ?? (options.json ? undefined : 10));
    const report = await this.maintenance(options).verify({ limit });
    if (options.private) return this.audit(report, options.json);
    if (options.json) print(JSON.stringify(report, null, 2));
    else {
      print(`Checked ${report.records} records.`);
      const kinds = [['missing', 'missing'], ['extra', 'extra'], ['stale', 'stale'], ['withheld', 'withheld'], ['dangling', 'dangling'], ['non-canonical', 'nonCanonical']] as const;
      for (const [name, kind] of kinds) {
        const rows: ReferenceRow[] = report[kind];
        print(`  ${name.padEnd(13)} ${report.totals[kind]}`);
        for (const row of rows.slice(0, 10)) print(`    ${row.referrerType}/${row.referrerId} ${row.path} → ${row.reference}${details(row)}`);
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

  /** The leak audit: every stored copy holding a key its target's representation leaves out, each one listed. */
  private audit(report: VerifyReport, json?: boolean): void {
    if (json) print(JSON.stringify({ records: report.records, withheld: report.withheld, ok: !report.withheld.length }, null, 2));
    else {
      print(`Checked ${report.records} records.`);
      print(`  ${'withheld'.padEnd(13)} ${report.withheld.length}`);
      for (const row of report.withheld) print(`    ${row.referrerType}/${row.referrerId} ${row.path} → ${row.reference}: ${row.keys.join(', ')}`);
      print(report.withheld.length ? "Copies hold keys their targets withhold: run 'references refresh --stale'." : 'No copy holds a key its target withholds.');
    }
    if (report.withheld.length) process.exitCode = 1;
  }

  @Option({ flags: '--limit <n>', description: 'rows kept per kind (the totals count them all)' })
  parseLimit(value: string): number {
    return positiveInteger('--limit', value);
  }

  @Option({ flags: '--private', description: 'the leak audit: list every copy holding a key its target withholds (exit 1 if any)' })
  parsePrivate(): boolean {
    return true;
  }
}

/** What a row of the report says beyond its reference: why a copy is stale, which keys it should not hold. */
function details(row: object): string {
  if ('cause' in row) return row.cause === 'representation' ? ' (the representation changed)' : ' (the content changed)';
  if ('keys' in row) return `: ${(row.keys as string[]).join(', ')}`;
  return '';
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
      const result = await this.maintenance(options).rebase(newBaseUrl, { batchSize: options.batch, signal, onProgress: (done, total) => progress.update(done, total) });
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
    const result = await this.maintenance(options).repair();
    print(`Repaired ${result.repaired.length} record(s).`);
    for (const failed of result.failed) print(`  not repaired: ${failed.referrerType}/${failed.referrerId}: ${failed.reason}`);
    if (result.failed.length) process.exitCode = 1;
  }
}

@SubCommand({
  name: 'refresh',
  arguments: '[url]',
  description: 'Propagate a target again, or every target verify finds stale (--stale), of one type (--type)',
})
export class RefreshCommand extends DataSourceCommand {

  async run([url]: string[], options: DataSourceOption & { stale?: boolean; type?: string }): Promise<void> {
    if (!url && !options.stale && !options.type) throw new Error('refresh needs a <url>, --stale or --type <route>');
    const maintenance = this.maintenance(options);
    const progress = new ProgressReporter('refresh');
    const { signal, dispose } = interruptible();
    let result: { targets: number; refreshed: number };
    try {
      if (url) {
        await maintenance.refresh(url);
        result = { targets: 1, refreshed: 1 };
      } else {
        result = await maintenance.refreshStale({ type: options.type, signal, onProgress: (done, total) => progress.update(done, total) });
      }
    } finally {
      dispose();
      progress.stop();
    }
    // NOTE: in queue mode the workers write the copies; the command ends when they have.
    await maintenance.waitForIdle(10 * 60_000);
    print(`Refreshed ${result.refreshed} of ${result.targets} target(s).`);
  }

  @Option({ flags: '--stale', description: 'every target with a stale copy' })
  parseStale(): boolean {
    return true;
  }

  @Option({ flags: '--type <route>', description: 'only the targets of this type (implies --stale)' })
  parseType(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'failed', description: 'List the propagations that failed for good (queue mode): target, referrer, path, reason' })
export class FailedCommand extends DataSourceCommand {

  async run(_args: string[], options: DataSourceOption & { json?: boolean }): Promise<void> {
    const maintenance = this.maintenance(options);
    let count = 0;
    for (let cursor: string | undefined; ; ) {
      const page = await maintenance.failedPropagations({ limit: 1000, cursor });
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
    const reopened = await this.maintenance(options).retryFailed(options.all ? 'all' : ids.map((id) => positiveInteger('<id>', id)));
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

/** The commands under `references`, in the order its help lists them. */
export const REFERENCES_SUBCOMMANDS = [
  SynchronizeCommand,
  VerifyCommand,
  ReferrersCommand,
  RenameCommand,
  RefreshCommand,
  RebaseCommand,
  RepairCommand,
  FailedCommand,
  RetryCommand,
];

@Command({
  name: 'references',
  description: 'Maintain the reference index of nestjs-references',
  subCommands: REFERENCES_SUBCOMMANDS,
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
