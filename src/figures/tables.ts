import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { IPA_FILES, ipaRunId, type IpaCell } from '../experiments/ipa.js';
import { parseCsvRecords, splitCsvLine } from '../metrics/csv.js';
import { resolvePipelineProfile } from '../profiles/catalog.js';
import { readYamlFile } from '../config/yaml.js';
import { isProfilePath } from '../kinds/pipeline/paths.js';
import { RUN_FILES } from '../kinds/pipeline/run-folder.js';
import { SCENARIO_KINDS } from '../kinds/registry.js';
import { STORE, TABLES } from '../sweep/store.js';
import { displayValue } from './style.js';

/** A table cell: numbers where the CSV holds numbers, text otherwise, null where empty (booleans only in figure data). */
export type Value = string | number | boolean | null;
export type Row = Record<string, Value>;

export interface Table {
  file: string;
  columns: string[];
  rows: Row[];
}

/**
 * What a results folder holds: `pipesim experiment ipa` (steps.csv, runs.csv with one row per cell),
 * `pipesim sweep` (sweep.json; runs.csv and aggregate.csv once collected), or one `pipesim run`.
 */
export type ResultsKind = 'experiment' | 'sweep' | 'run';

export function resultsKind(dir: string): ResultsKind {
  if (!existsSync(dir)) throw new InputError(`${dir}: no such results folder`);
  if (existsSync(join(dir, STORE.manifest))) return 'sweep';
  if (existsSync(join(dir, IPA_FILES.steps))) return 'experiment';
  if (existsSync(join(dir, RUN_FILES.summary))) return 'run';
  throw new InputError(`${dir}: not a pipesim results folder (expected a run's summary.json, a sweep's sweep.json or an experiment's steps.csv)`);
}

export function readTable(file: string): Table {
  if (!existsSync(file)) throw new InputError(`${file}: not found`);
  const text = readFileSync(file, 'utf8');
  const header = text.split(/\r?\n/, 1)[0];
  if (header.trim() === '') throw new InputError(`${file}: empty table`);
  const rows = parseCsvRecords(text).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(v)])));
  return { file, columns: splitCsvLine(header), rows };
}

function cell(text: string | undefined): Value {
  if (text === undefined || text === '') return null;
  const n = Number(text);
  return Number.isNaN(n) && text !== 'NaN' ? text : n;
}

/** Fail with the table and the missing column named, and what the figure needs it for. */
export function requireColumns(table: Table, columns: readonly string[], purpose: string): void {
  for (const c of columns) {
    if (!table.columns.includes(c)) throw new InputError(`${table.file}: no column "${c}" (${purpose}); ${columnHint(table, c)}`);
  }
}

/** The table's columns for an error message: aggregate statistics once per metric, and at most 30, those like `missing` first. */
function columnHint(table: Table, missing: string): string {
  const names = [...new Set(table.columns.map((c) => c.replace(/\.(mean|sd|ci95)$/, '')))];
  if (names.length <= 30) return `its columns: ${names.join(', ')}`;
  const word = missing.split('.').pop()?.toLowerCase() ?? '';
  const like = names.filter((n) => word !== '' && n.toLowerCase().includes(word));
  const shown = (like.length > 0 ? like : names).slice(0, 30);
  return `${like.length > 0 ? `its columns like "${word}"` : 'its first columns'}: ${shown.join(', ')} (${names.length} in all)`;
}

/**
 * Keep rows whose `column` matches `value`, for `--where column=value`: the same text, the same
 * number (10 = 10.0), or the name a figure shows for it (bursty for traces/ipa/bursty.txt).
 */
export function filterRows(table: Table, where: readonly { column: string; value: string }[]): Table {
  for (const w of where) requireColumns(table, [w.column], `--where ${w.column}=${w.value}`);
  const matches = (cell: Value, value: string) => {
    if (String(cell ?? '') === value || displayValue(cell) === value) return true;
    return typeof cell === 'number' && value.trim() !== '' && Number(value) === cell;
  };
  let rows = table.rows;
  for (const w of where) {
    const kept = rows.filter((r) => matches(r[w.column], w.value));
    if (kept.length === 0) {
      const values = [...new Set(rows.map((r) => String(r[w.column] ?? '')))];
      throw new InputError(`${table.file}: no rows with ${w.column}=${w.value}${rows.length > 0 ? ` (its values there: ${values.join(', ')})` : ''}`);
    }
    rows = kept;
  }
  return { ...table, rows };
}

/** Distinct values of a column, as text, in first-seen order. */
export function distinct(table: Table, column: string): string[] {
  return [...new Set(table.rows.map((r) => String(r[column] ?? '')))];
}

/**
 * What one run has per application or service, to compare them: a serverless run's apps.csv or an
 * accelerator run's tenants.csv, with the column that names them. (Pipeline runs have no such
 * table: their tenants are in summary.json.)
 */
function entityTable(dir: string): { table: Table; key: string } {
  for (const kind of SCENARIO_KINDS) {
    const entities = kind.entityTable;
    if (entities !== undefined && existsSync(join(dir, entities.file))) return { table: readTable(join(dir, entities.file)), key: entities.key };
  }
  throw new InputError(`${dir}: one pipeline run; this figure compares runs, or the applications of a serverless or accelerator run (give a sweep or an experiment folder)`);
}

/** The per-run table of an experiment or a collected sweep; for one serverless or accelerator run, its per-application table. */
export function runsTable(dir: string): Table {
  const kind = resultsKind(dir);
  if (kind === 'run') return entityTable(dir).table;
  if (kind === 'sweep' && !existsSync(join(dir, TABLES.runs))) throw new InputError(`${dir}: the sweep is not collected yet (run \`pipesim sweep collect ${dir}\`)`);
  return readTable(join(dir, kind === 'sweep' ? TABLES.runs : IPA_FILES.runs));
}

/** The columns that tell a table's rows apart: a sweep's swept columns, an experiment's cell, a run's application. */
export function groupColumns(dir: string): string[] {
  const kind = resultsKind(dir);
  if (kind === 'sweep') return (JSON.parse(readFileSync(join(dir, STORE.manifest), 'utf8')) as { columns: string[] }).columns;
  if (kind === 'run') return [entityTable(dir).key];
  return ['pipeline', 'workload', 'policy', 'predictor'];
}

/** The folder of one run inside a results folder, from a runs-table row. */
export function runFolderOf(dir: string, row: Row): string {
  const folder = resultsKind(dir) === 'sweep' ? join(dir, STORE.runs, String(row.run_id)) : join(dir, IPA_FILES.runsDir, ipaRunId(row as unknown as IpaCell, Number(row.seed)));
  if (!existsSync(folder)) throw new InputError(`${dir}: the run folder ${folder} of a row of its table is missing (results of an older pipesim? run them again)`);
  return folder;
}

/**
 * The latency objective of a finished run: its scenario's `slo`, else its IPA profile's SLA;
 * undefined when it has neither (or the profile cannot be found).
 */
export function sloOf(runDir: string): number | undefined {
  const file = join(runDir, RUN_FILES.scenario);
  if (!existsSync(file)) return undefined;
  const scenario = readYamlFile(file) as { slo?: number; pipeline?: { profile?: string } };
  if (typeof scenario.slo === 'number') return scenario.slo;
  const profile = scenario.pipeline?.profile;
  if (profile === undefined) return undefined;
  try {
    // A profile file is named relative to the run folder (see scenarioFileText).
    return resolvePipelineProfile(isProfilePath(profile) ? resolve(runDir, profile) : profile).sla;
  } catch {
    return undefined;
  }
}
