import { extname } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { csvNumber, csvText } from '../metrics/csv.js';
import type { Figure } from './kinds.js';
import { embedFonts, renderSvg, svgToPdf, svgToPng } from './render.js';
import type { Value } from './tables.js';

export const FIGURE_FORMATS = ['.svg', '.png', '.pdf'] as const;

/** `fig.svg` -> `fig`: the stem the data (`fig.csv`) and spec (`fig.vl.json`) files share. */
export function figureStem(out: string): string {
  const ext = extname(out).toLowerCase();
  if (!(FIGURE_FORMATS as readonly string[]).includes(ext)) throw new InputError(`${out}: expected a .svg, .png or .pdf file name`);
  return out.slice(0, out.length - ext.length);
}

/**
 * Render `figure` into `out` (.svg, .png or .pdf) and write its data beside it as CSV and its vega-lite
 * spec as JSON, so the figure can be restyled without pipesim. Returns the files written.
 */
export async function writeFigure(figure: Figure, out: string): Promise<string[]> {
  const stem = figureStem(out);
  const svg = await renderSvg(figure.spec as unknown as TopLevelSpec);
  const ext = extname(out).toLowerCase();
  writeFileAtomic(out, ext === '.png' ? svgToPng(svg) : ext === '.pdf' ? await svgToPdf(svg) : embedFonts(svg));
  writeFileAtomic(`${stem}.csv`, figureCsv(figure));
  writeFileAtomic(`${stem}.vl.json`, JSON.stringify(figure.spec, null, 2) + '\n');
  return [out, `${stem}.csv`, `${stem}.vl.json`];
}

export function figureCsv(figure: Figure): string {
  const cell = (v: Value | undefined) => (v === null || v === undefined ? '' : typeof v === 'number' ? csvNumber(v) : csvText(String(v)));
  return [figure.columns.map(csvText).join(','), ...figure.rows.map((r) => figure.columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}
