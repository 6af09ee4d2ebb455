import type { Argv } from 'yargs';
import { writeFileAtomic } from '../io/atomic.js';

export function reportCommand(yargs: Argv) {
  return yargs.command(
    'report <results>',
    'Write one self-contained HTML page for a run, sweep or experiment: scenario, version, seeds, summary tables and interactive figures',
    (y) =>
      y
        .positional('results', { type: 'string', demandOption: true, describe: 'results folder: `pipesim run`, `pipesim sweep` (collected) or `pipesim experiment ipa`' })
        .option('out', { type: 'string', describe: 'HTML file (default: RESULTS/report.html)' })
        .example('$0 report results/ipa --out ipa.html', 'every figure of an IPA experiment, openable offline'),
    async (argv) => {
      const out = argv.out ?? `${argv.results.replace(/[\\/]+$/, '')}/report.html`;
      // The renderers (vega, vega-lite, resvg, pdfkit: about 0.6 s to load) are imported only to draw.
      const { buildReport } = await import('../figures/report.js');
      const report = buildReport(argv.results, out);
      writeFileAtomic(out, report.html);
      process.stdout.write(`wrote ${out}: ${report.figures.length} figure${report.figures.length === 1 ? '' : 's'}${report.skipped.length > 0 ? `, ${report.skipped.length} not applicable (listed at the end of the page)` : ''}\n`);
    },
  );
}
