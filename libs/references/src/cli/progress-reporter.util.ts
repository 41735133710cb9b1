import { SingleBar, Presets } from 'cli-progress';

/** A progress bar on a terminal; plain progress lines (at most one a second) when output is piped or logged. */
export class ProgressReporter {
  private bar?: SingleBar;
  private lastLine = 0;

  constructor(
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number): void {
    if (this.out.isTTY) {
      if (!this.bar) {
        this.bar = new SingleBar({ format: `${this.label} [{bar}] {value}/{total} {percentage}% ETA {eta_formatted}`, stream: this.out }, Presets.shades_classic);
        this.bar.start(total, done);
      }
      this.bar.setTotal(total);
      this.bar.update(done);
    } else if (Date.now() - this.lastLine >= 1000 || done === total) {
      this.lastLine = Date.now();
      this.out.write(`${this.label}: ${done}/${total}\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}
