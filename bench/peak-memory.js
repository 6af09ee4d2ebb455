// Child process of bench/run.js: run the M/M/c bench scenario with N requests into a temporary
// folder and print the process's peak resident memory (KiB) as JSON.
import { peakRssKiB } from './peak-rss.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readScenarioOfKind } from '../dist/kinds/load.js';
import { parseOverride } from '../dist/scenario/overrides.js';
import { runToFolder } from '../dist/kinds/pipeline/run-folder.js';

const requests = Number(process.argv[2]);
const scenario = readScenarioOfKind('pipeline', 'bench/scenarios/mmc.yaml', { set: [parseOverride(`workload.requests=${requests}`)] });
const dir = mkdtempSync(join(tmpdir(), 'pipesim-mem-'));
const summary = runToFolder(scenario, dir);
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ requests: summary.requests.arrived, maxRssKiB: peakRssKiB() }) + '\n');
