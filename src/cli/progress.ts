import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr for work that turns out to be long: nothing is
 * shown during the first second, nor ever when stderr is not a terminal
 * (CI logs, pipes), so short runs and scripts stay quiet.
 */
export class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly started = Date.now();
  private readonly enabled: boolean;

  constructor(private readonly label: string, enabled = process.stderr.isTTY === true) {
    this.enabled = enabled;
  }

  update(fraction: number): void {
    if (!this.enabled) return;
    if (this.bar === undefined) {
      if (Date.now() - this.started < 1000) return;
      this.bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: `${this.label} [{bar}] {percentage}% | elapsed {duration_formatted} | ETA {eta_formatted}`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(1000, 0);
    }
    this.bar.update(Math.round(fraction * 1000));
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
