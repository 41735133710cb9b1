import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { ReferencesService } from '../references.service.js';
import { ProgressReporter } from './progress-reporter.js';

const print = (line: string) => process.stdout.write(line + '\n');

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

@SubCommand({ name: 'synchronize', description: 'Rebuild the reference index from every reference-enabled record' })
export class SynchronizeCommand extends CommandRunner {
  constructor(private readonly references: ReferencesService) {
    super();
  }

  async run(_args: string[], options: { clear?: boolean; batch?: number }): Promise<void> {
    const progress = new ProgressReporter('synchronize');
    const { signal, dispose } = interruptible();
    try {
      const result = await this.references.synchronize({
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
export class VerifyCommand extends CommandRunner {
  constructor(private readonly references: ReferencesService) {
    super();
  }

  async run(_args: string[], options: { json?: boolean }): Promise<void> {
    const report = await this.references.verify();
    if (options.json) print(JSON.stringify(report, null, 2));
    else {
      print(`Checked ${report.records} records.`);
      const kinds = { missing: report.missing, extra: report.extra, stale: report.stale, dangling: report.dangling, 'non-canonical': report.nonCanonical };
      for (const [name, rows] of Object.entries(kinds)) {
        print(`  ${name.padEnd(13)} ${rows.length}`);
        for (const row of rows.slice(0, 10)) print(`    ${row.referrerType}/${row.referrerId} ${row.path} → ${row.reference}`);
        if (rows.length > 10) print(`    … and ${rows.length - 10} more`);
      }
      print(`  ${'invalid'.padEnd(13)} ${report.invalid.length}`);
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
}

@SubCommand({ name: 'referrers', arguments: '<url>', description: 'List the records that reference a URL' })
export class ReferrersCommand extends CommandRunner {
  constructor(private readonly references: ReferencesService) {
    super();
  }

  async run([url]: string[], options: { prefix?: boolean }): Promise<void> {
    const rows = await this.references.getReferrers(url, { match: options.prefix ? 'prefix' : 'exact' });
    for (const row of rows) print(`${row.referrerType}/${row.referrerId}\t${row.inline ? 'inline' : 'link'}\t${row.path}\t${row.reference}`);
    process.stderr.write(`${rows.length} reference(s)\n`);
  }

  @Option({ flags: '--prefix', description: 'match every URL that starts with <url>' })
  parsePrefix(): boolean {
    return true;
  }
}

@SubCommand({ name: 'rename', arguments: '<old-url> <new-url>', description: 'Rewrite every reference to a moved record' })
export class RenameCommand extends CommandRunner {
  constructor(private readonly references: ReferencesService) {
    super();
  }

  async run([oldUrl, newUrl]: string[]): Promise<void> {
    const updated = await this.references.referenceChanged(oldUrl, newUrl);
    print(`Renamed ${oldUrl} → ${newUrl}: ${updated.length} referrer(s) updated${updated.length ? '' : ' (or queued)'}.`);
  }
}

@SubCommand({ name: 'rebase', arguments: '<new-base-url>', description: 'Move every stored reference to a new base URL, then record it' })
export class RebaseCommand extends CommandRunner {
  constructor(private readonly references: ReferencesService) {
    super();
  }

  async run([newBaseUrl]: string[], options: { batch?: number }): Promise<void> {
    const progress = new ProgressReporter('rebase');
    const { signal, dispose } = interruptible();
    try {
      const result = await this.references.rebase(newBaseUrl, { batchSize: options.batch, signal, onProgress: (done, total) => progress.update(done, total) });
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
export class RepairCommand extends CommandRunner {
  constructor(private readonly references: ReferencesService) {
    super();
  }

  async run(): Promise<void> {
    const result = await this.references.repair();
    print(`Repaired ${result.repaired.length} record(s).`);
    for (const failed of result.failed) print(`  not repaired: ${failed.referrerType}/${failed.referrerId}: ${failed.reason}`);
    if (result.failed.length) process.exitCode = 1;
  }
}

@SubCommand({ name: 'refresh', arguments: '[url]', description: 'Propagate a target again, or every target verify finds stale (--stale)' })
export class RefreshCommand extends CommandRunner {
  constructor(private readonly references: ReferencesService) {
    super();
  }

  async run([url]: string[], options: { stale?: boolean }): Promise<void> {
    if (!url && !options.stale) throw new Error('refresh needs a <url> or --stale');
    const targets = url ? [url] : [...new Set((await this.references.verify()).stale.map((row) => row.reference))];
    const progress = new ProgressReporter('refresh');
    const { signal, dispose } = interruptible();
    let done = 0;
    try {
      for (const target of targets) {
        if (signal.aborted) break;
        await this.references.refresh(target);
        progress.update(++done, targets.length);
      }
    } finally {
      dispose();
      progress.stop();
    }
    await this.references.waitForIdle(10 * 60_000);
    print(`Refreshed ${done} of ${targets.length} target(s).`);
  }

  @Option({ flags: '--stale', description: 'every target with a stale copy' })
  parseStale(): boolean {
    return true;
  }
}

@Command({
  name: 'references',
  description: 'Maintain the reference index of nestjs-references',
  subCommands: [SynchronizeCommand, VerifyCommand, ReferrersCommand, RenameCommand, RefreshCommand, RebaseCommand, RepairCommand],
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
