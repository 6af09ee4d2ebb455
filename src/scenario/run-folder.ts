import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PIPESIM_VERSION } from '../version.js';
import { AtomicStreamWriter, makeResultsFolder, writeFileAtomic } from '../io/atomic.js';

/** The two files every run folder has: the resolved scenario, and summary.json, written last, which marks it complete. */
export const COMMON_RUN_FILES = { summary: 'summary.json', scenario: 'scenario.yaml' } as const;

/** The fields every summary.json starts with: the pipesim version, the kind (absent for pipelines, the original kind), the scenario's name and seed. */
export function summaryHeader(scenario: { name?: string; seed: number }): { pipesim: string; scenario: string; seed: number };
export function summaryHeader<Kind extends string>(scenario: { name?: string; seed: number }, kind: Kind): { pipesim: string; kind: Kind; scenario: string; seed: number };
export function summaryHeader(scenario: { name?: string; seed: number }, kind?: string): { pipesim: string; kind?: string; scenario: string; seed: number } {
  return { pipesim: PIPESIM_VERSION, ...(kind ? { kind } : {}), scenario: scenario.name as string, seed: scenario.seed };
}

/** A run folder being written: its streamed tables and whole files, committed together or not at all. */
export class RunFolderWriter {
  private readonly streams: AtomicStreamWriter[] = [];
  private readonly written: string[] = [];

  constructor(
    readonly dir: string,
    private readonly durable: boolean,
  ) {}

  /** A table streamed to a temporary file, renamed into place when the run is committed. */
  stream(file: string): AtomicStreamWriter {
    const writer = new AtomicStreamWriter(join(this.dir, file), this.durable);
    this.streams.push(writer);
    return writer;
  }

  /** A whole file, written now (atomically); removed again if the run fails. */
  file(file: string, text: string): void {
    writeFileAtomic(join(this.dir, file), text);
    this.written.push(file);
  }

  commit(): void {
    for (const s of this.streams) s.commit();
  }

  abort(): void {
    for (const s of this.streams) s.abort();
    for (const f of this.written) rmSync(join(this.dir, f), { force: true });
  }
}

/**
 * The skeleton every scenario kind's run folder shares: make the folder, clear the files of an
 * earlier run there, let `body` simulate and write its tables, then commit them, write the
 * resolved scenario and, last, summary.json. If anything fails, nothing that looks complete is
 * left: streamed tables are deleted, whole files removed, and a folder this call made is removed
 * when empty.
 */
export function writeRunFolder<Summary>(
  dir: string,
  files: readonly string[],
  options: { durable?: boolean },
  body: (out: RunFolderWriter) => { summary: Summary; scenarioText: string },
): Summary {
  const undoFolder = makeResultsFolder(dir);
  // The files of an earlier run here, and the temporary files of one that was killed (kill -9 leaves them).
  const names = [...Object.values(COMMON_RUN_FILES), ...files];
  for (const entry of readdirSync(dir)) {
    if (names.includes(entry) || names.some((name) => entry.startsWith(`${name}.`) && entry.endsWith('.tmp'))) rmSync(join(dir, entry), { force: true });
  }
  const out = new RunFolderWriter(dir, options.durable ?? true);
  try {
    const { summary, scenarioText } = body(out);
    out.commit();
    writeFileAtomic(join(dir, COMMON_RUN_FILES.scenario), scenarioText);
    writeFileAtomic(join(dir, COMMON_RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
    return summary;
  } catch (err) {
    out.abort();
    undoFolder();
    throw err;
  }
}
