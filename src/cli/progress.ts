import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr for work that turns out to be long: nothing is
 * shown during the first second, nor ever when stderr is not a terminal
 * (CI logs, pipes), so short runs and scripts stay quiet.
 */
/** Time left at `fraction` done after `elapsedMs`, as 42s, 3m 05s or 2h 10m; "--" until there is progress to go by. */
export function remainingText(elapsedMs: number, fraction: number): string {
  if (!(fraction >= 0.001) || !(fraction <= 1)) return '--';
  const s = Math.round(((elapsedMs / 1000) * (1 - fraction)) / fraction);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

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
        // Our own ETA: cli-progress prints "NFs" for one it cannot compute yet (no progress so far).
        { stream: process.stderr, format: `${this.label} [{bar}] {percentage}% | elapsed {duration_formatted} | ETA {remaining}`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(1000, 0, { remaining: '--' });
    }
    this.bar.update(Math.round(fraction * 1000), { remaining: remainingText(Date.now() - this.started, fraction) });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
