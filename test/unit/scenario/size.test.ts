import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { remainingText } from '../../../src/cli/progress.js';
import { estimatePipelineRun } from '../../../src/kinds/pipeline/kind.js';
import { readScenarioOfKind } from '../../../src/kinds/load.js';
import { kindByKey } from '../../../src/kinds/registry.js';
import { checkRunSize, RUN_LIMITS } from '../../../src/scenario/size.js';
import { pipesim, tempDir } from '../../helpers.js';

const execFileAsync = promisify(execFile);


describe('runaway runs', () => {
  it('the estimate counts requests, simulated time and table bytes from the scenario, traces read', () => {
    const quickstart = readScenarioOfKind('pipeline', 'scenarios/quickstart.yaml');
    const base = estimatePipelineRun(quickstart);
    // The bundled trace: 20 minutes, every count sent.
    expect(base.seconds).toBe(1200);
    expect(base.requests).toBe(readFileCounts('traces/bursty.txt').reduce((a, b) => a + b, 0));
    expect(checkRunSize(base, false)).toEqual([]);
    // 1000 days of one-second rows for the pipeline and both stages: tens of GB, a warning.
    const long = estimatePipelineRun({ ...quickstart, duration: 1000 * 86400 });
    expect(long.outputBytes).toBeGreaterThan(1e10);
    expect(checkRunSize(long, false)).toEqual([expect.stringMatching(/^this run writes about 1\d\.\d GB of tables/)]);
    // A Poisson rate of 1e12 for the scenario's duration is refused, unless forced.
    const mm4 = readScenarioOfKind('pipeline', 'scenarios/mm4.yaml');
    const absurd = estimatePipelineRun({ ...mm4, workload: { ...mm4.workload, requests: undefined, arrivals: { kind: 'poisson', rate: 1e12 } }, duration: 60 });
    expect(absurd.requests).toBe(6e13);
    expect(() => checkRunSize(absurd, false)).toThrow(/^refusing to run: it would simulate 6\.00e13 requests .* more than the 1\.00e10 allowed/);
    expect(checkRunSize(absurd, true)).toHaveLength(1);
    expect(checkRunSize({ requests: RUN_LIMITS.warnRequests * 2, seconds: 1, outputBytes: 0 }, false)).toEqual(['this run simulates 200 million requests: about 3 min to simulate']);
    // Serverless applications and accelerator services are sized from their own arrivals (an accelerator's queries cap them).
    const serverless = readScenarioOfKind('serverless', 'scenarios/harmonybatch/example.yaml');
    serverless.serverless.apps[0].arrivals = { kind: 'poisson', rate: 1e12 };
    expect(() => checkRunSize(kindByKey('serverless').estimate!(serverless), false)).toThrow(/^refusing to run: it would simulate \d\.\d\de1\d requests/);
    const accelerator = readScenarioOfKind('accelerator', 'scenarios/abacus/pair.yaml');
    accelerator.accelerator.services[0].arrivals = { kind: 'poisson', rate: 1e12 };
    expect(kindByKey('accelerator').estimate!({ ...accelerator, duration: 3600 }).requests).toBe(1000);
  });

  it('pipesim run refuses absurd runs before starting, and stops a queue that outgrows memory naming its stage', () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const big = pipesim(['run', 'scenarios/quickstart.yaml', '-q', '--set', 'workload.arrivals.rate=1e12', '--out', out]);
    expect([big.code, big.stderr]).toEqual([2, expect.stringMatching(/^pipesim: refusing to run: it would simulate .* \(--force runs it anyway\)\n$/)]);
    const trace = join(dir, 'spike.txt');
    writeFileSync(trace, '5 100000000 3\n');
    const spike = pipesim(['run', 'scenarios/quickstart.yaml', '-q', '--set', `workload.arrivals.path=${trace}`, '--out', out]);
    expect(spike.stderr).toMatch(/the trace's bin at 1 s into the run holds 100 million requests, more than the 10\.0 million one bin may hold/);
    const overloaded = pipesim(['run', 'scenarios/mm4.yaml', '-q', '--set', 'workload.arrivals.rate=1e6', '--set', 'workload.requests=100000000', '--set', 'pipeline.maxWaiting=200000', '--out', out]);
    expect([overloaded.code, overloaded.stderr]).toEqual([2, expect.stringMatching(/^pipesim: stage \w+: [\d,]+ requests waiting at [\d.]+ s, more than pipeline\.maxWaiting \(200,000\): requests arrive faster than the stage serves them\./)]);
    expect(existsSync(out)).toBe(false);
  });

  // Peak memory is read from /proc (getrusage's maxrss in a child starts from its parent's).
  it.runIf(existsSync('/proc/self/status'))('an overloaded run stops at pipeline.maxWaiting, its memory following the bound: ten times the bound, about ten times the requests held', async () => {
    const run = async (maxWaiting: number) => {
      const code = `
        import { readFileSync } from 'node:fs';
        const { loadScenario, simulate } = await import(${JSON.stringify(pathToFileURL(resolve('dist/index.js')).href)});
        const loaded = await loadScenario('scenarios/mm4.yaml', { set: { 'workload.arrivals.rate': 1e6, 'workload.requests': 1e8, 'pipeline.maxWaiting': ${maxWaiting} } });
        let message = 'finished';
        try { await simulate(loaded); } catch (err) { message = err.message; }
        const peakKiB = Number(/^VmHWM:\\s+(\\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
        console.log(JSON.stringify({ message, peakKiB }));`;
      const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 120_000 });
      const { message, peakKiB } = JSON.parse(stdout) as { message: string; peakKiB: number };
      const stopped = /^stage \w+: ([\d,]+) requests waiting at [\d.]+ s, more than pipeline\.maxWaiting \(([\d,]+)\)/.exec(message);
      expect(stopped, message).not.toBeNull();
      return { waiting: Number((stopped as RegExpExecArray)[1].replaceAll(',', '')), peakMiB: peakKiB / 1024 };
    };
    // The queue is checked every 16,384 arrivals: it stops within that of the bound.
    const small = await run(200_000);
    const large = await run(2_000_000);
    expect(small.waiting).toBeGreaterThan(200_000);
    expect(small.waiting).toBeLessThanOrEqual(200_000 + 16_384);
    expect(large.waiting).toBeLessThanOrEqual(2_000_000 + 16_384);
    // 1.8 million more requests held, at least 64 bytes each (a row, and a queue entry besides).
    expect(small.peakMiB).toBeLessThan(250);
    expect(large.peakMiB - small.peakMiB).toBeGreaterThan((1_800_000 * 64) / 2 ** 20);
  }, 150_000);

  it('the progress bar says "--" until it can estimate the time left', () => {
    expect(remainingText(500, 0)).toBe('--');
    expect(remainingText(500, NaN)).toBe('--');
    expect(remainingText(10_000, 0.5)).toBe('10s');
    expect(remainingText(60_000, 0.25)).toBe('3m 00s');
    expect(remainingText(3_600_000, 0.2)).toBe('4h 00m');
  });
});

function readFileCounts(path: string): number[] {
  return readFileSync(path, 'utf8').trim().split(/\s+/).map(Number);
}
