import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../src/engine/random.js';
import { csvNumber, csvText, parseCsvRecords, splitCsvLine } from '../src/metrics/csv.js';

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
