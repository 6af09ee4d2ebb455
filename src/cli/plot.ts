import type { Argv } from 'yargs';
import { InputError } from '../errors.js';
import { buildFigure, PLOT_KINDS, type PlotOptions } from '../figures/kinds.js';
import { parseDuration } from '../config/units.js';

export function plotCommand(yargs: Argv) {
  return yargs.command(
    'plot <kind> <results>',
    'Draw a paper-style figure (SVG, PNG or PDF) from a run, sweep or experiment folder; its data (.csv) and vega-lite spec (.vl.json) are written beside it',
    (y) =>
      y
        .positional('kind', {
          choices: PLOT_KINDS,
          demandOption: true,
          describe:
            'timeline: cost and accuracy (or --panels latency) over time per workload and policy (IPA Fig. 8); over-time: latency, throughput, queues and utilisation of one run; cdf: per-second p99 latency CDF per policy with the SLA; ' +
            'bars: metrics per group and policy with 95% intervals; pareto: accuracy against cost, front marked; sweep: a metric against a swept parameter with a 95% band',
        })
        .positional('results', { type: 'string', demandOption: true, describe: 'results folder: `pipesim run`, `pipesim sweep` (collected) or `pipesim experiment ipa`' })
        .option('out', { type: 'string', demandOption: true, describe: 'figure file: .svg, .png (2x) or .pdf (vector, font embedded)' })
        .option('metric', { type: 'string', array: true, describe: 'metric column(s), as named in runs.csv (bars: a panel each; sweep: one)' })
        .option('x', { type: 'string', describe: 'column on the x axis (bars: groups; sweep: the swept parameter; pareto: the cost metric)' })
        .option('y', { type: 'string', describe: 'pareto: the accuracy metric' })
        .option('color', { type: 'string', describe: 'column with a colour per value (the policy)' })
        .option('facet', { type: 'string', describe: 'timeline: column with a cell per value (default: the workload of an experiment)' })
        .option('where', { type: 'string', array: true, default: [] as string[], describe: 'keep rows with column=value (repeatable)' })
        .option('panels', { choices: ['cost', 'latency'] as const, default: 'cost' as const, describe: 'timeline: cost and accuracy, or p99 latency and SLA violations' })
        .option('sla', { type: 'string', describe: 'cdf: the SLA line (default: the runs\' SLO or profile SLA), e.g. 500ms' })
        .option('title', { type: 'string', describe: 'a title above the figure' })
        .option('xlabel', { type: 'string', describe: 'x-axis title, units included (default: a readable name of the column)' })
        .option('ylabel', { type: 'string', describe: 'y-axis title of every panel, units included' })
        .option('legend-title', { type: 'string', describe: 'title of the colour legend' })
        .example('$0 plot timeline results/ipa --where pipeline=video --out docs/figures/ipa-timeline.png', "IPA's Figure 8 for the video pipeline")
        .example('$0 plot bars results/quickstart-sweep --metric latency.p99 --metric sloViolationRatio --out qs.svg', 'two metrics per swept setting, with 95% intervals over seeds')
        .example('$0 plot sweep results/quickstart-sweep -x workload.arrivals.rate --color pipeline.stages[0].replicas --out qs-load.pdf', 'p99 latency against load, a line per replica count'),
    async (argv) => {
      const where = argv.where.map((w) => {
        const eq = w.indexOf('=');
        if (eq <= 0) throw new InputError(`--where expects column=value, got "${w}"`);
        return { column: w.slice(0, eq), value: w.slice(eq + 1) };
      });
      let sla: number | undefined;
      if (argv.sla !== undefined) {
        sla = parseDuration(/^\d+(\.\d+)?$/.test(argv.sla) ? Number(argv.sla) : argv.sla);
        if (!(sla > 0)) throw new InputError(`--sla: expected a duration such as 500ms or 2s, got "${argv.sla}"`);
      }
      const options: PlotOptions = { where, metrics: argv.metric, x: argv.x, y: argv.y, color: argv.color, facet: argv.facet, panels: argv.panels, sla, title: argv.title, xlabel: argv.xlabel, ylabel: argv.ylabel, legendTitle: argv['legend-title'] };
      // The renderers (vega, vega-lite, resvg, pdfkit: about 0.6 s to load) are imported only to draw.
      const { writeFigure } = await import('../figures/write.js');
      const files = await writeFigure(buildFigure(argv.kind, argv.results, options), argv.out);
      process.stdout.write(`wrote ${files.join(', ')}\n`);
    },
  );
}
