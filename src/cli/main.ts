import { dirname } from 'node:path';
import type { Worker } from 'node:worker_threads';
import yargs, { type Argv } from 'yargs';
import { ExitStatus, InputError } from '../errors.js';
import { fileSystemProblem } from '../io/problems.js';
import { writeFileAtomic } from '../io/atomic.js';
import { loadScenario, scenarioFileText } from '../kinds/load.js';
import { parseOverride } from '../scenario/overrides.js';
import { PIPESIM_VERSION } from '../version.js';
import { provideRunWorker, releaseRunWorker, runCommand, type EarlySignals } from './run.js';

/**
 * The commands besides run, validate and schema, by the word that calls them, in the order
 * --help lists them. Each module is imported only when its command is called, or when all are
 * listed (--help, a mistyped command): a command's module imports what it runs, and all of
 * them cost every `pipesim run` about 0.08 s of start-up.
 */
const COMMANDS: Record<string, () => Promise<(cli: Argv) => unknown>> = {
  trace: async () => (await import('./trace.js')).traceCommand,
  experiment: async () => (await import('./experiment.js')).experimentCommand,
  harmony: async () => (await import('./harmony.js')).harmonyCommand,
  sweep: async () => (await import('./sweep.js')).sweepCommand,
  plan: async () => (await import('./plan.js')).planCommand,
  peak: async () => (await import('./peak.js')).peakCommand,
  plot: async () => (await import('./plot.js')).plotCommand,
  report: async () => (await import('./report.js')).reportCommand,
  profiles: async () => (await import('./profiles.js')).profilesCommand,
  profile: async () => (await import('./testbed.js')).profileCommand,
  testbed: async () => (await import('./testbed.js')).testbedCommand,
  predictor: async () => (await import('./predictor.js')).predictorCommand,
  clean: async () => (await import('./clean.js')).cleanCommand,
};
/** Commands main registers itself, needing none of COMMANDS. */
const OWN_COMMANDS = ['run', 'validate', 'schema'];

/** A command line yargs rejects (unknown flag, missing argument, value not among the choices). */
class UsageError extends Error {}

/** Exit codes: 0 success, 1 internal failure (a bug), 2 bad input (file, flag or value). */
export async function main(args: string[], options: { runWorker?: Worker; earlySignals?: EarlySignals } = {}): Promise<number> {
  provideRunWorker(options.runWorker, options.earlySignals);
  try {
    return await mainCommand(args);
  } finally {
    await releaseRunWorker();
  }
}

async function mainCommand(args: string[]): Promise<number> {
  const cli = yargs(args)
    .scriptName('pipesim')
    .usage('pipesim: discrete-event simulation of ML inference-serving pipelines\n\nUsage: $0 <command> [options]')
    .version(PIPESIM_VERSION)
    .strict()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .recommendCommands()
    .demandCommand(1, 'name a command (try: pipesim run scenarios/quickstart.yaml)')
    // Thrown, not recorded: yargs goes on to run the command when a failure handler returns.
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    })
    // yargs reads text given to a number flag as NaN: name the flag and what was typed instead.
    .middleware((argv) => {
      for (const [key, value] of Object.entries(argv)) {
        if (!(Array.isArray(value) ? value : [value]).some((v) => typeof v === 'number' && Number.isNaN(v))) continue;
        const at = args.findIndex((a) => a === `--${key}` || a.startsWith(`--${key}=`));
        if (at < 0) continue; // the camelCase twin of a flag typed with dashes
        const typed = args[at].includes('=') ? args[at].slice(args[at].indexOf('=') + 1) : (args[at + 1] ?? '');
        throw new UsageError(`--${key}: expected a number, got ${typed === '' ? 'nothing' : typed}`);
      }
    }, true)
    .epilogue('Exit codes: 0 ok, 1 internal error, 2 bad input, 3 no feasible plan (plan), 130 interrupted. Docs: README.md, docs/SCENARIO.md, docs/RESULTS.md');
  runCommand(cli);
  cli.command(
    'validate <scenario>',
    'Check a scenario and print it with every default filled in (file paths relative to its folder)',
    (y) =>
      y
        .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })
        .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a value, as for run' }),
    async (argv) => {
      process.stdout.write(scenarioFileText(await loadScenario(argv.scenario, { set: argv.set.map(parseOverride) }), dirname(argv.scenario)));
    },
  );
  cli.command(
    'schema',
    'Print the JSON Schema of scenario files (or the Markdown reference)',
    (y) =>
      y
        .option('markdown', { type: 'boolean', default: false, describe: 'print the key reference as Markdown instead' })
        .option('out', { type: 'string', describe: 'write to this file instead of stdout' }),
    async (argv) => {
      const { scenarioJsonSchema, scenarioReference } = await import('../kinds/json-schema.js');
      const text = argv.markdown ? scenarioReference() : JSON.stringify(scenarioJsonSchema(), null, 2) + '\n';
      if (argv.out) writeFileAtomic(argv.out, text);
      else process.stdout.write(text);
    },
  );
  const word = args[0];
  const wanted = OWN_COMMANDS.includes(word) ? [] : Object.hasOwn(COMMANDS, word) ? [COMMANDS[word]] : Object.values(COMMANDS);
  for (const load of wanted) (await load())(cli);

  try {
    await cli.parseAsync();
  } catch (err) {
    if (err instanceof UsageError) {
      // yargs' messages span lines and name flags without their dashes.
      const message = err.message
        .replace(/^Missing required arguments?: (.+)$/, (_m, names: string) => `missing ${names.split(', ').map((n) => `--${n}`).join(', ')}`)
        .replace(/\s*\n\s*/g, ' ');
      process.stderr.write(`pipesim: ${message} (see pipesim --help)\n`);
      return 2;
    }
    if (err instanceof InputError) {
      process.stderr.write(`pipesim: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ExitStatus) {
      process.stderr.write(`pipesim: ${err.message}\n`);
      return err.code;
    }
    // A path that cannot be made, written or read is the user's to fix, not a bug: one line, like bad input.
    const problem = fileSystemProblem(err);
    if (problem !== undefined) {
      process.stderr.write(`pipesim: ${problem}\n`);
      return 2;
    }
    throw err;
  }
  return 0;
}
