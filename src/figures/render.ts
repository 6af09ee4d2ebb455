import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import opentype, { type Font } from 'opentype.js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY } from './style.js';

/**
 * The font files of FONT_FAMILY: vega lays text out with the font's own advance widths (not the
 * browser's, not a guess), and resvg draws PNGs with only these files (no system fonts), so a
 * figure is the same on every machine.
 */
const fontFolder = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
export const FONT_FILES = { regular: join(fontFolder, 'DejaVuSans.ttf'), bold: join(fontFolder, 'DejaVuSans-Bold.ttf') };

let fonts: { regular: Font; bold: Font } | undefined;

function loadFonts(): { regular: Font; bold: Font } {
  const load = (file: string) => {
    const b = readFileSync(file);
    return opentype.parse(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
  fonts ??= { regular: load(FONT_FILES.regular), bold: load(FONT_FILES.bold) };
  return fonts;
}

interface TextItem {
  text?: unknown;
  fontSize?: number;
  fontWeight?: string | number;
}

/** Vega's text width hook, with DejaVu's metrics (multi-line text: the widest line). */
function measure(item: TextItem, text?: unknown): number {
  const value = text ?? item.text;
  if (value === undefined || value === null) return 0;
  const size = item.fontSize ?? 11;
  const weight = item.fontWeight;
  const font = weight === 'bold' || (typeof weight === 'number' && weight >= 600) ? loadFonts().bold : loadFonts().regular;
  const lines = Array.isArray(value) ? value : [value];
  return Math.max(0, ...lines.map((line) => (advance(font, String(line)) * size) / font.unitsPerEm));
}

/**
 * Advance width in font units: glyph advances plus pair kerning. (opentype.js's own layout applies
 * DejaVu's substitution tables, and one of their formats is not supported by it.)
 */
function advance(font: Font, text: string): number {
  let width = 0;
  let previous: ReturnType<Font['charToGlyph']> | undefined;
  for (const ch of text) {
    const glyph = font.charToGlyph(ch);
    width += glyph.advanceWidth ?? 0;
    if (previous !== undefined) width += font.getKerningValue(previous, glyph);
    previous = glyph;
  }
  return width;
}

let metricsInstalled = false;
function installMetrics(): void {
  if (metricsInstalled) return;
  // Exported by vega (from vega-scenegraph) but missing from its type declarations.
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } }).textMetrics;
  metrics.width = measure;
  metricsInstalled = true;
}

/** Compile a vega-lite spec and render it to SVG text, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  installMetrics();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterise an SVG made by renderSvg at `scale` (2 = twice the SVG's size in pixels). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles: [FONT_FILES.regular, FONT_FILES.bold], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  return resvg.render().asPng();
}

/**
 * An SVG made by renderSvg as a one-page vector PDF the size of the figure (CSS px at 96 per inch),
 * with the bundled font embedded (subset) and fixed dates, so the same SVG gives the same bytes.
 */
export function svgToPdf(svg: string): Promise<Buffer> {
  const size = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  if (size === null) throw new Error('svgToPdf: the SVG has no width and height');
  const [width, height] = [Number(size[1]) * 0.75, Number(size[2]) * 0.75];
  const epoch = new Date(0);
  const doc = new PDFDocument({ size: [width, height], margin: 0, info: { Creator: 'pipesim', Producer: 'pipesim', CreationDate: epoch, ModDate: epoch } });
  doc.registerFont(FONT_FAMILY, FONT_FILES.regular);
  doc.registerFont(`${FONT_FAMILY} Bold`, FONT_FILES.bold);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  SVGtoPDF(doc, svg, 0, 0, { width, height, fontCallback: (_family: string, bold: boolean) => (bold ? `${FONT_FAMILY} Bold` : FONT_FAMILY) });
  doc.end();
  return done;
}

/** Characters drawn by the SVG's text elements, with bold ones apart. */
function textCharacters(svg: string): { regular: Set<string>; bold: Set<string> } {
  const decode = (t: string) =>
    t.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
      if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
      return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e.toLowerCase()];
    });
  const out = { regular: new Set<string>(), bold: new Set<string>() };
  for (const m of svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)) {
    const set = /font-weight="(bold|[6-9]00)"/.test(m[1]) ? out.bold : out.regular;
    for (const ch of decode(m[2])) set.add(ch);
  }
  return out;
}

/** A font holding only `characters` (and .notdef), as OpenType bytes that repeat from run to run. */
function subsetFont(font: Font, characters: Iterable<string>, style: string): Buffer {
  const notdef = font.glyphs.get(0);
  const glyphs = [new opentype.Glyph({ name: '.notdef', advanceWidth: notdef.advanceWidth, path: new opentype.Path() })];
  for (const ch of [...characters].sort()) {
    const g = font.charToGlyph(ch);
    glyphs.push(new opentype.Glyph({ name: g.name ?? `uni${ch.codePointAt(0)?.toString(16)}`, unicode: ch.codePointAt(0), advanceWidth: g.advanceWidth, path: g.path }));
  }
  const subset = new opentype.Font({
    familyName: FONT_FAMILY,
    styleName: style,
    unitsPerEm: font.unitsPerEm,
    ascender: font.ascender,
    descender: font.descender,
    glyphs,
  } as ConstructorParameters<typeof opentype.Font>[0]);
  return withFixedDates(Buffer.from(subset.toArrayBuffer()));
}

/** Sum of big-endian 32-bit words, the OpenType table checksum (the tail padded with zeros). */
function openTypeChecksum(bytes: Buffer, start: number, length: number): number {
  let sum = 0;
  for (let i = start; i < start + length; i += 4) {
    const word = bytes.length >= i + 4 ? bytes.readUInt32BE(i) : Buffer.concat([bytes.subarray(i), Buffer.alloc(4)]).readUInt32BE(0);
    sum = (sum + word) >>> 0;
  }
  return sum;
}

/**
 * The font with its `head` dates set to zero and its checksums redone. opentype.js stamps both
 * dates with the wall clock (a zero `createdTimestamp` reads as unset), which made two renders of
 * one figure differ whenever they straddled a second.
 */
function withFixedDates(font: Buffer): Buffer {
  const tables = font.readUInt16BE(4);
  for (let record = 12; record < 12 + 16 * tables; record += 16) {
    if (font.toString('latin1', record, record + 4) !== 'head') continue;
    const offset = font.readUInt32BE(record + 8);
    const length = font.readUInt32BE(record + 12);
    font.fill(0, offset + 20, offset + 36); // created, modified
    font.writeUInt32BE(0, offset + 8); // checkSumAdjustment is left out of every checksum
    font.writeUInt32BE(openTypeChecksum(font, offset, length), record + 4);
    font.writeUInt32BE((0xb1b0afba - openTypeChecksum(font, 0, font.length)) >>> 0, offset + 8);
    return font;
  }
  throw new Error('font subset without a head table');
}

/**
 * The SVG with the glyphs it uses embedded (an @font-face subset of DejaVu Sans per weight), so
 * any viewer draws the text in the font its layout was measured with. A few kilobytes a figure.
 */
export function embedFonts(svg: string): string {
  const used = textCharacters(svg);
  const faces: string[] = [];
  if (used.regular.size > 0) faces.push(`@font-face{font-family:"${FONT_FAMILY}";font-weight:normal;src:url(data:font/otf;base64,${subsetFont(loadFonts().regular, used.regular, 'Book').toString('base64')}) format("opentype")}`);
  if (used.bold.size > 0) faces.push(`@font-face{font-family:"${FONT_FAMILY}";font-weight:bold;src:url(data:font/otf;base64,${subsetFont(loadFonts().bold, used.bold, 'Bold').toString('base64')}) format("opentype")}`);
  if (faces.length === 0) return svg;
  return svg.replace(/<svg[^>]*>/, (open) => `${open}<defs><style>${faces.join('')}</style></defs>`);
}
