import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { remainingText } from '../../../src/cli/progress.js';
import { estimatePipelineRun } from '../../../src/kinds/pipeline/kind.js';
import { readScenarioOfKind } from '../../../src/kinds/load.js';
import { kindByKey } from '../../../src/kinds/registry.js';
import { checkRunSize, RUN_LIMITS } from '../../../src/scenario/size.js';
import { pipesim, tempDir } from '../../helpers.js';


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

  it('an overloaded run stops within bounded memory at pipeline.maxWaiting, where without the bound it runs out of memory', () => {
    // The library in a process whose V8 heap may not pass 160 MB: at 2e5 waiting requests the
    // run stops with its message, its peak resident memory far below what 1e8 would take;
    // without the bound the queue of 1e8 outgrows the heap and the process dies.
    const run = (maxWaiting: number) => {
      const code = `
        import { readFileSync } from 'node:fs';
        const { loadScenario, simulate } = await import(${JSON.stringify(pathToFileURL(resolve('dist/index.js')).href)});
        const loaded = await loadScenario('scenarios/mm4.yaml', { set: { 'workload.arrivals.rate': 1e6, 'workload.requests': 1e8, 'pipeline.maxWaiting': ${maxWaiting} } });
        let message = 'finished';
        try { await simulate(loaded); } catch (err) { message = err.message; }
        const peakKiB = Number(/^VmHWM:\\s+(\\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
        console.log(JSON.stringify({ message, peakKiB }));`;
      return spawnSync(process.execPath, ['--max-old-space-size=160', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 120_000 });
    };
    const bounded = run(200_000);
    const { message, peakKiB } = JSON.parse(bounded.stdout);
    expect(message).toMatch(/^stage \w+: [\d,]+ requests waiting at [\d.]+ s, more than pipeline\.maxWaiting \(200,000\)/);
    expect(peakKiB).toBeLessThan(400 * 1024);
    const unbounded = run(100_000_000);
    expect([unbounded.status, unbounded.stdout]).toEqual([expect.not.stringMatching(/^0$/), '']);
    expect(unbounded.stderr).toMatch(/heap out of memory/);
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
