import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../src/engine/random.js';
import { CsvRowEncoder, csvNumber, csvText, parseCsvRecords, splitCsvLine } from '../../../src/metrics/csv.js';

describe('CSV cells', () => {
  it('format numbers as the decimal rounded to 1e-9 (halves away from zero)', () => {
    expect(csvNumber(0.1 + 0.2)).toBe('0.3');
    expect(csvNumber(12)).toBe('12');
    expect(csvNumber(0.000012345)).toBe('0.000012345');
    expect(csvNumber(1.5e-10)).toBe('0');
    expect(csvNumber(-2.25)).toBe('-2.25');
    expect(csvNumber(NaN)).toBe('');
    expect(csvNumber(123456789.123)).toBe('123456789.123');
    const rng = new RandomStreams(1).stream('csv');
    for (let i = 0; i < 20_000; i++) {
      const x = (rng.random() - 0.2) * 10 ** rng.integer(8) * (rng.random() < 0.5 ? 1 : 1e-6);
      const cell = csvNumber(x);
      if (Number(cell) !== (Math.sign(x) * Math.round(Math.abs(x) * 1e9)) / 1e9 + 0) throw new Error(`${x} -> ${cell}`);
    }
  });

  it('quote text only when needed', () => {
    expect(csvText('detect')).toBe('detect');
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
  });
});

describe('CsvRowEncoder', () => {
  /** Rows through an encoder, as text: every cell a number or a string. */
  const encode = (rows: readonly (readonly (number | string)[])[]) => {
    const parts: Buffer[] = [];
    const encoder = new CsvRowEncoder((bytes) => parts.push(Buffer.from(bytes)));
    for (const row of rows) {
      for (const cell of row) {
        if (typeof cell === 'number') encoder.number(cell);
        else encoder.text(cell);
      }
      encoder.endRow();
    }
    encoder.flush();
    return Buffer.concat(parts).toString('utf8');
  };
  const asStrings = (rows: readonly (readonly (number | string)[])[]) =>
    rows.map((row) => row.map((cell) => (typeof cell === 'number' ? csvNumber(cell) : csvText(cell))).join(',') + '\n').join('');

  it('writes the bytes csvNumber and csvText would, for any numbers and text', () => {
    const number = fc.oneof(
      fc.double({ noNaN: false }),
      fc.double({ min: -1e7, max: 1e7 }),
      fc.double({ min: -1, max: 1 }),
      fc.integer({ min: -1e6, max: 1e6 }),
      fc.constantFrom(0, -0, 1e15, -1e15, 999_999_999_999_999, 2 ** 53, 9e6, 8_999_999.9999999995, 0.0000000005, 1e21, Infinity),
    );
    const cell = fc.oneof(number, number, fc.string(), fc.constantFrom('a,b', 'say "hi"', 'é -> ü'));
    fc.assert(fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 12 }), { maxLength: 40 }), (rows) => encode(rows) === asStrings(rows)), { seed: 7, numRuns: 2000 });
  });

  it('keeps the order across flushes and cells longer than its buffer', () => {
    const long = 'x'.repeat(70_000);
    const rows = Array.from({ length: 5000 }, (_, i) => [i, i / 7, `stage ${i % 3}`, i === 2500 ? long : 'short']);
    expect(encode(rows)).toBe(asStrings(rows));
    // A last cell that fills the buffer to its final byte leaves room for the newline.
    for (const n of [21_844, 21_845, 21_846]) {
      const edge = [[1.5, '€'.repeat(n)], [2]];
      expect(encode(edge)).toBe(asStrings(edge));
    }
  });
});

describe('CSV records', () => {
  it('parse what csvText writes, quotes and commas included', () => {
    const cells = ['plain', 'a,b', 'say "hi"', '', 'x -> y'];
    const line = cells.map(csvText).join(',');
    expect(splitCsvLine(line)).toEqual(cells);
    expect(parseCsvRecords(`k,v\n1,${csvText('a,"b"')}\n2,c\n`)).toEqual([
      { k: '1', v: 'a,"b"' },
      { k: '2', v: 'c' },
    ]);
  });
});
