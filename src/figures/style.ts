import { basename, extname } from 'node:path';

/** Figures are drawn in DejaVu Sans (the dejavu-fonts-ttf package; see render.ts). */
export const FONT_FAMILY = 'DejaVu Sans';

/** IPA's colours for its four policies (its paper's figures); other names take the palette below in order. */
const NAMED_COLOURS: Record<string, string> = {
  ipa: '#d7191c',
  'fa2-low': '#a1dab4',
  'fa2-high': '#41b6c4',
  rim: '#253494',
};
/** ColorBrewer Dark2, then Set1's distinct hues: readable on white and in greyscale print. */
const PALETTE = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666', '#377eb8', '#984ea3'];

/** A colour scale for `names` in that order: IPA's colours for IPA's policy names, the palette for the rest. */
export function colourScale(names: readonly string[]): { domain: string[]; range: string[] } {
  let next = 0;
  const range = names.map((n) => NAMED_COLOURS[n.toLowerCase()] ?? PALETTE[next++ % PALETTE.length]);
  return { domain: [...names], range };
}

/** IPA's workloads in its figures' order; other values follow in the order first seen. */
export const WORKLOAD_ORDER = ['bursty', 'steady_low', 'steady_high', 'fluctuating'];

/** How a value is shown on a figure: a trace path by its file name (traces/ipa/bursty.txt -> bursty). */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  const text = String(value);
  if (/[\\/]/.test(text) && extname(text) !== '') return basename(text, extname(text));
  return text;
}

/** A workload name as a panel title: steady_low -> steady low. */
export function workloadTitle(name: string): string {
  return name.replace(/_/g, ' ');
}

/** Order `values` as `preferred` lists them, the rest after in first-seen order. */
export function ordered(values: Iterable<string>, preferred: readonly string[] = []): string[] {
  const seen = [...new Set(values)];
  return [...preferred.filter((p) => seen.includes(p)), ...seen.filter((v) => !preferred.includes(v))];
}

/** The look shared by every figure: the bundled font, paper-sized text, no chart border, legend on top. */
export const BASE_CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', grid: true, gridColor: '#e5e5e5' },
  legend: { orient: 'top', direction: 'horizontal', labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', symbolStrokeWidth: 2 },
  header: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 12, fontWeight: 'normal', anchor: 'middle' },
  line: { strokeWidth: 1.6 },
} as const;

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
