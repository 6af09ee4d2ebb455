import type { Argv } from 'yargs';
import { RandomStreams } from '../engine/random.js';
import { InputError } from '../errors.js';
import { SyntheticArrivals } from '../workload/schema.js';
import { parseDuration } from '../config/units.js';
import { collectArrivals, CountTraceArrivals, EXPAND_MODES, type ExpandMode } from '../workload/arrivals.js';
import { generateTrace, TRACE_PATTERNS, type TracePattern } from '../workload/generators.js';
import { writeTimestampTrace } from '../workload/timestamps.js';
import { countTraceStats, readCountTrace, writeCountTrace } from '../workload/trace.js';
import { compressTrace, dampTrace, scaleTrace, sliceTrace } from '../workload/transform.js';
import { seedFlag } from './flags.js';

function seconds(value: string | number, flag: string): number {
  const s = parseDuration(typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value);
  if (!Number.isFinite(s)) throw new InputError(`--${flag}: expected a duration such as 20m or 1200, got "${value}"`);
  return s;
}

const layoutOption = {
  type: 'string',
  choices: ['lines', 'single-line'],
  default: 'lines',
  describe: 'one count per line, or all on one line (IPA\'s layout)',
} as const;

export function traceCommand(yargs: Argv) {
  return yargs.command('trace', 'Make, inspect and transform arrival traces', (y) =>
    y
      .command(
        'generate',
        'Write a synthetic per-second count trace',
        (g) =>
          g
            .option('pattern', { choices: TRACE_PATTERNS, demandOption: true, describe: 'shape of the rate curve' })
            .option('rate', { type: 'number', demandOption: true, describe: 'mean (base, for bursty) requests per second' })
            .option('duration', { type: 'string', demandOption: true, describe: 'length, e.g. 20m or 1200' })
            .option('seed', { type: 'string', default: '1', describe: 'random seed (the same seed gives the same trace)' })
            .option('period', { type: 'string', describe: 'fluctuating/diurnal cycle length' })
            .option('burst-factor', { type: 'number', describe: 'bursty: rate multiplier in a burst' })
            .option('peak-to-trough', { type: 'number', describe: 'diurnal: peak rate over trough rate' })
            .option('out', { type: 'string', demandOption: true, describe: 'file to write' })
            .option('layout', layoutOption)
            .example('$0 trace generate --pattern bursty --rate 12 --duration 20m --seed 1 --out bursty.txt', 'a 20-minute bursty trace around 12 requests/s'),
        (argv) => {
          const options = {
            pattern: argv.pattern as TracePattern,
            rate: argv.rate,
            duration: seconds(argv.duration, 'duration'),
            period: argv.period === undefined ? undefined : seconds(argv.period, 'period'),
            burstFactor: argv['burst-factor'],
            peakToTrough: argv['peak-to-trough'],
          };
          // The limits of a scenario's synthetic arrivals apply to the flags too.
          const { duration: length, ...rest } = options;
          const checked = SyntheticArrivals.safeParse({ kind: 'synthetic', ...rest, length });
          if (!checked.success) {
            const issue = checked.error.issues[0];
            const flags: Record<string, [string, unknown]> = {
              rate: ['--rate', argv.rate],
              length: ['--duration', argv.duration],
              period: ['--period', argv.period],
              burstFactor: ['--burst-factor', argv['burst-factor']],
              peakToTrough: ['--peak-to-trough', argv['peak-to-trough']],
            };
            const [flag, value] = flags[String(issue.path[0])] ?? [String(issue.path[0]), undefined];
            throw new InputError(`${flag}: ${issue.message}, got ${value}`);
          }
          const counts = generateTrace(options, new RandomStreams(seedFlag(argv.seed, '--seed')).stream('workload'));
          writeAndReport(argv.out, counts, argv.layout);
        },
      )
      .command(
        'stats <file>',
        'Print the length, total and rates of a per-second count trace',
        (g) => g.positional('file', { type: 'string', demandOption: true, describe: 'count trace: one integer per second' }),
        (argv) => printStats(argv.file, readCountTrace(argv.file)),
      )
      .command(
        'transform <file>',
        'Slice, damp, scale or compress a per-second count trace (applied in that order)',
        (g) =>
          g
            .positional('file', { type: 'string', demandOption: true, describe: 'count trace: one integer per second' })
            .option('start', { type: 'string', default: '0', describe: 'first second to keep' })
            .option('duration', { type: 'string', describe: 'seconds to keep from start' })
            .option('damping', { type: 'number', describe: 'floor(count / damping), as IPA does with 8' })
            .option('scale', { type: 'number', describe: 'multiply counts (total kept by cumulative rounding)' })
            .option('compress', { type: 'number', describe: 'play this many times faster' })
            .option('out', { type: 'string', demandOption: true })
            .option('layout', layoutOption)
            .example('$0 trace transform twitter.txt --start 1301160 --duration 20m --damping 8 --out ipa-bursty.txt', 'IPA\'s bursty workload'),
        (argv) => {
          let counts = readCountTrace(argv.file);
          const start = seconds(argv.start, 'start');
          if (start > 0 || argv.duration !== undefined) {
            counts = sliceTrace(counts, start, argv.duration === undefined ? undefined : seconds(argv.duration, 'duration'));
          }
          if (argv.damping !== undefined) counts = dampTrace(counts, argv.damping);
          if (argv.scale !== undefined) counts = scaleTrace(counts, argv.scale);
          if (argv.compress !== undefined) counts = compressTrace(counts, argv.compress);
          writeAndReport(argv.out, counts, argv.layout);
        },
      )
      .command(
        'concat <files..>',
        'Join per-second count traces end to end',
        (g) =>
          g
            .positional('files', { type: 'string', array: true, demandOption: true, describe: 'count traces, joined in this order' })
            .option('out', { type: 'string', demandOption: true, describe: 'file to write' })
            .option('layout', layoutOption),
        (argv) => {
          const parts = argv.files.map((f) => readCountTrace(f));
          const joined = new Uint32Array(parts.reduce((n, p) => n + p.length, 0));
          let offset = 0;
          for (const p of parts) {
            joined.set(p, offset);
            offset += p.length;
          }
          writeAndReport(argv.out, joined, argv.layout);
        },
      )
      .command(
        'expand <file>',
        'Turn a per-second count trace into a CSV of request timestamps',
        (g) =>
          g
            .positional('file', { type: 'string', demandOption: true, describe: 'count trace: one integer per second' })
            .option('expand', { choices: EXPAND_MODES, default: 'poisson' as ExpandMode, describe: 'placement within each second' })
            .option('seed', { type: 'string', default: '1', describe: 'random seed of the placement' })
            .option('out', { type: 'string', demandOption: true, describe: 'CSV file to write' }),
        (argv) => {
          const counts = readCountTrace(argv.file);
          const source = new CountTraceArrivals(counts, argv.expand as ExpandMode, new RandomStreams(seedFlag(argv.seed, '--seed')).stream('arrivals'));
          const trace = collectArrivals(source);
          writeTimestampTrace(argv.out, trace);
          process.stdout.write(`${argv.out}: ${trace.times.length} requests\n`);
        },
      )
      .demandCommand(1, 'name a trace command: generate, stats, transform, concat or expand'),
  );
}

function writeAndReport(path: string, counts: Uint32Array, layout: string): void {
  writeCountTrace(path, counts, layout as 'lines' | 'single-line');
  printStats(path, counts);
}

function printStats(name: string, counts: Uint32Array): void {
  const s = countTraceStats(counts);
  process.stdout.write(
    `${name}: ${s.seconds} s, ${s.total} requests, mean ${s.mean.toFixed(2)}/s, min ${s.min}/s, max ${s.max}/s, ${s.zeroSeconds} empty seconds\n`,
  );
}
