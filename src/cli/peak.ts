import type { Argv } from 'yargs';
import { InputError } from '../errors.js';
import { jsonText } from '../io/json.js';
import { loadScenario } from '../kinds/load.js';
import { kindByKey, SCENARIO_KINDS } from '../kinds/registry.js';
import { parseOverride } from '../scenario/overrides.js';
import type { PeakProbe } from '../scenario/peak.js';

export function peakCommand(yargs: Argv) {
  return yargs.command(
    'peak <scenario>',
    'Find the peak throughput under a QoS target: the highest arrival rate whose violation ratio stays within the threshold',
    (y) =>
      y
        .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file (its arrival rates are scaled)' })
        .option('threshold', { type: 'number', default: 0.01, describe: 'largest acceptable violation ratio (late or dropped over arrived)' })
        .option('runs', { type: 'number', default: 3, describe: 'runs per probe, with seeds from the scenario\'s on, averaged' })
        .option('tolerance', { type: 'number', default: 0.02, describe: 'stop when the bracket is narrower than this fraction of its upper end' })
        .option('whole-run', { type: 'boolean', default: false, describe: 'judge the whole run\'s violation ratio instead of the worst tenant\'s' })
        .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a scenario value, as for run' })
        .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
        .example('$0 peak scenarios/mm4.yaml --set slo=50ms', 'peak rate of the M/M/4 example with at most 1% of requests over 50 ms')
        .example('$0 peak scenarios/abacus/pair.yaml --set accelerator.policy=headroom --set accelerator.abandon=true', 'peak throughput of two services on one GPU under their 50 ms QoS'),
    async (argv) => {
      if (!(argv.threshold >= 0 && argv.threshold < 1)) throw new InputError(`--threshold: expected a ratio in [0, 1), got ${argv.threshold}`);
      if (!(Number.isInteger(argv.runs) && argv.runs >= 1)) throw new InputError(`--runs: expected a positive integer, got ${argv.runs}`);
      if (!(argv.tolerance > 0 && argv.tolerance < 1)) throw new InputError(`--tolerance: expected a fraction in (0, 1), got ${argv.tolerance}`);
      const loaded = await loadScenario(argv.scenario, { set: argv.set.map(parseOverride) });
      const kind = kindByKey(loaded.kind);
      if (kind.peak === undefined) {
        throw new InputError(`${argv.scenario}: peak takes ${SCENARIO_KINDS.filter((k) => k.peak !== undefined).map((k) => k.key).join(' and ')} scenarios, not ${kind.key} ones`);
      }
      const result = kind.peak(loaded.scenario, {
        threshold: argv.threshold,
        seeds: argv.runs,
        tolerance: argv.tolerance,
        perTenant: !argv['whole-run'],
        onProbe: argv.json ? undefined : (p: PeakProbe) => process.stderr.write(`  x${p.factor.toPrecision(4)}: ${p.rate.toFixed(2)} requests/s, violations ${(100 * p.violationRatio).toFixed(3)}% ${p.ok ? 'ok' : 'over'}\n`),
      });
      if (argv.json) process.stdout.write(jsonText(result));
      else
        process.stdout.write(
          `peak ${result.rate.toFixed(2)} requests/s with violations <= ${(100 * argv.threshold).toFixed(2)}% (bracket ${result.bracket[0].toFixed(2)}-${result.bracket[1].toFixed(2)}, ${result.probes.length} probes x ${argv.runs} runs)\n`,
        );
    },
  );
}
