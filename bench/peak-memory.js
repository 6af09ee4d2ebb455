// Child process of bench/run.js: run the M/M/c bench scenario with N requests into a temporary
// folder and print the process's peak resident memory (KiB) as JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, parseOverride } from '../dist/scenario/load.js';
import { runToFolder } from '../dist/runner/run-folder.js';

const requests = Number(process.argv[2]);
const { scenario } = loadScenario('bench/scenarios/mmc.yaml', [parseOverride(`workload.requests=${requests}`)]);
const dir = mkdtempSync(join(tmpdir(), 'pipesim-mem-'));
const summary = runToFolder(scenario, dir);
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ requests: summary.requests.arrived, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
