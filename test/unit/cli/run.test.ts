import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pipesim, pipesimInProcess, tempDir } from '../../helpers.js';


const RESULT_FILES = ['scenario.yaml', 'stage_timeseries.csv', 'summary.json', 'timeseries.csv'];

describe('pipesim run', () => {
  it('a run with several tenants prints a line per tenant, with the numbers of its summary', () => {
    const dir = tempDir();
    const file = join(dir, 'tenants.yaml');
    writeFileSync(
      file,
      'duration: 60s\nworkload:\n  arrivals:\n    kind: mix\n    tenants:\n' +
        '      - {name: interactive, slo: 30ms, arrivals: {kind: poisson, rate: 30}}\n      - {name: batch, slo: 2s, arrivals: {kind: poisson, rate: 10}}\n' +
        'pipeline:\n  stages:\n    - {replicas: 2, service: {mean: 20ms}}\n',
    );
    const r = pipesim(['run', file, '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    for (const t of summary.byTenant) {
      expect(r.stdout).toMatch(new RegExp(`^tenant ${t.name} +arrived ${t.arrived}  completed ${t.completed}  dropped ${t.dropped}  late ${t.late}  violations ${(100 * t.violationRatio).toFixed(2)}%`, 'm'));
    }
    expect(summary.byTenant.find((t: { name: string }) => t.name === 'interactive').late).toBeGreaterThan(0);
    expect(pipesim(['run', 'scenarios/quickstart.yaml', '--out', join(dir, 'one')]).stdout).not.toMatch(/^tenant /m);
  });

  it('runs the quickstart scenario into --out with the documented summary contract', () => {
    const out = join(tempDir(), 'run');
    const r = pipesim(['run', 'scenarios/quickstart.yaml', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`results in ${out}/`);
    expect(readdirSync(out).sort()).toEqual(RESULT_FILES);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    for (const key of ['arrived', 'completed', 'dropped']) expect(typeof s.requests[key]).toBe('number');
    for (const key of ['mean', 'p50', 'p95', 'p99']) expect(s.latency[key]).toBeGreaterThan(0);
    expect(s.sloViolationRatio).toBeGreaterThanOrEqual(0);
    expect(s.stages).toHaveLength(2);
    for (const stage of s.stages) {
      expect(stage.wait.mean).toBeGreaterThanOrEqual(0);
      expect(stage.service.mean).toBeGreaterThan(0);
      expect(stage.utilization).toBeGreaterThan(0);
      expect(stage.utilization).toBeLessThan(1);
    }
    expect(s.seed).toBe(1);
    expect(s.pipesim).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    // The time series covers the run, one row per second, and its counts add up to the run's.
    const rows = readFileSync(join(out, 'timeseries.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('time,end,arrived,completed,dropped,late,throughput,latency_mean,latency_p50,latency_p99,in_system,cores');
    const arrivedColumn = rows.slice(1).reduce((n, row) => n + Number(row.split(',')[2]), 0);
    expect(arrivedColumn).toBe(18_406); // every request of traces/bursty.txt, warm-up included
  });

  it('same scenario and seed give byte-identical result files; another seed does not', () => {
    const dir = tempDir();
    for (const name of ['a', 'b']) expect(pipesim(['run', 'scenarios/quickstart.yaml', '--out', join(dir, name), '-q']).code).toBe(0);
    for (const file of RESULT_FILES) {
      expect(readFileSync(join(dir, 'b', file)).equals(readFileSync(join(dir, 'a', file)))).toBe(true);
    }
    // The run folder's scenario.yaml runs again as it is (its paths are relative to the folder).
    expect(pipesim(['run', join(dir, 'a', 'scenario.yaml'), '--out', join(dir, 'again'), '-q']).code).toBe(0);
    for (const file of RESULT_FILES) {
      expect(readFileSync(join(dir, 'again', file)).equals(readFileSync(join(dir, 'a', file))), file).toBe(true);
    }
    expect(pipesim(['run', 'scenarios/quickstart.yaml', '--out', join(dir, 'c'), '--seed', '2', '-q']).code).toBe(0);
    expect(readFileSync(join(dir, 'c', 'summary.json'), 'utf8')).not.toBe(readFileSync(join(dir, 'a', 'summary.json'), 'utf8'));
  });

  it('--set overrides values and can turn on per-request records', () => {
    const out = join(tempDir(), 'run');
    const r = pipesim(['run', 'scenarios/quickstart.yaml', '--out', out, '--json', '--set', 'metrics.requests=true', '--set', 'pipeline.stages[0].replicas=5']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.stages[0].replicas).toBe(5);
    const records = readFileSync(join(out, 'requests.csv'), 'utf8').trim().split('\n');
    expect(records[0]).toBe('id,tenant,arrival,end,latency,outcome,stage');
    expect(records.length - 1).toBe(18_406);
  });

  it('Ctrl-C or SIGTERM stops a run cleanly, leaving nothing; after kill -9, the next run or pipesim clean removes the debris', async () => {
    const dir = tempDir();
    const long = ['run', 'scenarios/mm4.yaml', '--set', 'workload.requests=100000000', '-q'];
    /** Start a long run into `out`, wait until it is writing, send `signal`; its exit code and stderr. */
    const interrupt = async (out: string, signal: NodeJS.Signals) => {
      const child = spawn(process.execPath, ['bin/pipesim.js', ...long, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      for (let i = 0; i < 300 && !(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.tmp'))); i++) await new Promise((r) => setTimeout(r, 50));
      child.kill(signal);
      return { code: await exited, stderr };
    };
    const fresh = join(dir, 'fresh');
    const sigint = await interrupt(fresh, 'SIGINT');
    expect(sigint).toEqual({ code: 130, stderr: `pipesim: interrupted (SIGINT): the run was stopped and nothing it wrote is left in ${fresh}\n` });
    expect(existsSync(fresh)).toBe(false);
    // Into a folder that holds other files: they stay, the run's go.
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    writeFileSync(join(shared, 'notes.txt'), 'mine');
    expect((await interrupt(shared, 'SIGTERM')).code).toBe(130);
    expect(readdirSync(shared)).toEqual(['notes.txt']);
    // A signal the launcher caught while pipesim was still loading ends the run before it starts, once loaded;
    // the launcher's catcher is let go then (the run's own handlers take over).
    const loading = join(dir, 'loading');
    let released = 0;
    const caught = await pipesimInProcess([...long, '--out', loading], { earlySignals: { caught: () => 'SIGTERM', release: () => released++ } });
    expect(caught).toEqual({ code: 130, stdout: '', stderr: 'pipesim: interrupted (SIGTERM) before the run started: nothing was written\n' });
    expect(released).toBe(1);
    expect(existsSync(loading)).toBe(false);
    // kill -9 cannot be caught: its temporary files stay until a run into the folder or pipesim clean removes them.
    const killed = join(dir, 'killed');
    expect((await interrupt(killed, 'SIGKILL')).code).toBe(null);
    const debris = readdirSync(killed).filter((f) => f.endsWith('.tmp'));
    expect(debris.length).toBeGreaterThan(0);
    const dry = pipesim(['clean', dir, '--dry-run']);
    expect(dry.stdout).toContain(`would remove ${debris.length} temporary file`);
    expect(readdirSync(killed).filter((f) => f.endsWith('.tmp'))).toEqual(debris);
    expect(pipesim(['run', 'scenarios/quickstart.yaml', '-q', '--set', 'duration=1m', '--out', killed]).code).toBe(0);
    expect(readdirSync(killed).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    writeFileSync(join(killed, 'timeseries.csv.otherhost-12-0123abcd.tmp'), '');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid; // a process of this machine that has ended
    writeFileSync(join(killed, `timeseries.csv.${hostname()}-${gone}-0123abcd.tmp`), '');
    const clean = pipesim(['clean', killed]);
    expect(clean.stdout).toMatch(/removed 1 temporary file \(0\.0 MB\)\n$/);
    expect(clean.stdout).toContain('written from another machine; --other-hosts removes it');
    expect(readdirSync(killed).filter((f) => f.endsWith('.tmp'))).toEqual(['timeseries.csv.otherhost-12-0123abcd.tmp']);
  }, 60_000);

  it('an output path that cannot be written, and YAML that cannot be read, give one line and exit code 2 in every command', async () => {
    const dir = tempDir();
    expect((await pipesimInProcess(['run', 'scenarios/quickstart.yaml', '-q', '--set', 'duration=1m', '--out', join(dir, 'qs')])).code).toBe(0);
    const sweep = join(dir, 'sweep.yaml');
    writeFileSync(sweep, `scenario: ${join(process.cwd(), 'scenarios/quickstart.yaml')}\ngrid:\n  workload.arrivals.rate: [8]\n`);
    // A file where a folder must be: the same failure as a read-only mount or a missing permission.
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const blocked = join(file, 'out');
    for (const args of [
      ['run', 'scenarios/quickstart.yaml', '-q', '--out', blocked],
      ['sweep', 'run', sweep, '-q', '--out', blocked],
      ['plot', 'cdf', join(dir, 'qs'), '--out', join(blocked, 'f.png')],
      ['report', join(dir, 'qs'), '--out', join(blocked, 'r.html')],
      ['trace', 'generate', '--pattern', 'steady', '--rate', '5', '--duration', '1m', '--out', join(blocked, 't.txt')],
      ['experiment', 'ipa', '--pipelines', 'video', '--workloads', 'steady_low', '--policies', 'ipa', '-q', '--out', blocked],
    ]) {
      const r = await pipesimInProcess(args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, `pipesim: cannot make the folder ${blocked}: a part of the path is a file, not a folder\n`]);
    }
    // The run folder itself a file: refused before the run is handed to the worker thread the launcher
    // started early, and the process ends (it waited for that thread for ever once).
    const asFile = spawnSync(process.execPath, ['bin/pipesim.js', 'run', 'scenarios/quickstart.yaml', '-q', '--out', file], { encoding: 'utf8', timeout: 30_000 });
    expect([asFile.status, asFile.stderr]).toEqual([2, `pipesim: cannot write the run folder ${file}: it is a file\n`]);
    // A folder where the figure file should be: named as the file, not by the temporary name it was written to.
    const folder = join(dir, 'f.png');
    mkdirSync(folder);
    const r = await pipesimInProcess(['plot', 'cdf', join(dir, 'qs'), '--out', folder]);
    expect([r.code, r.stderr]).toEqual([2, `pipesim: cannot write ${folder}: it is a folder\n`]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // An alias bomb: a few lines that would expand to gigabytes; and an override that is not YAML.
    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(bomb, ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`)].join('\n') + '\n');
    const b = await pipesimInProcess(['run', bomb, '--out', join(dir, 'never')]);
    expect([b.code, b.stderr]).toEqual([2, expect.stringMatching(/^pipesim: .*bomb\.yaml: invalid YAML: its aliases expand too far \(.*\)\n$/)]);
    // An alias to no anchor is not called a bomb.
    const dangling = join(dir, 'dangling.yaml');
    writeFileSync(dangling, 'name: *nope\n');
    const d = await pipesimInProcess(['run', dangling, '--out', join(dir, 'never')]);
    expect([d.code, d.stderr]).toEqual([2, expect.stringMatching(/^pipesim: .*dangling\.yaml: invalid YAML: Unresolved alias.*nope\n$/)]);
    const s = await pipesimInProcess(['run', 'scenarios/quickstart.yaml', '--set', 'duration={', '--out', join(dir, 'never')]);
    expect([s.code, s.stderr]).toEqual([2, expect.stringMatching(/^pipesim: --set duration:1:2: invalid YAML: .*\n$/)]);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('bad input: path-precise message on stderr and exit code 2', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'duration: 10s\nworkload: {arrivals: {kind: poisson, rate: 5}}\npipeline:\n  stages:\n    - {service: {mean: 8ms}}\n    - {service: {mean: 8ms}, batch: {max: -3}}\n');
    const r = await pipesimInProcess(['run', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`pipesim: ${bad}: pipeline.stages[1].batch.max: expected a positive integer, got -3\n`);
    expect((await pipesimInProcess(['run', join(dir, 'missing.yaml')])).code).toBe(2);
    expect((await pipesimInProcess(['run', 'scenarios/quickstart.yaml', '--set', 'oops'])).stderr).toContain('--set expects path=value');
    expect((await pipesimInProcess(['frobnicate'])).code).toBe(2);
    // A flag or value yargs rejects stops the command before it runs: nothing is written.
    const notRun = join(dir, 'not-run');
    for (const args of [
      ['run', 'scenarios/quickstart.yaml', '--sed', '7', '--out', notRun],
      ['trace', 'generate', '--pattern', 'foo', '--rate', '5', '--duration', '1m', '--out', notRun],
      ['experiment', 'ipa', '--pipelines', 'foo', '--out', notRun],
      ['plot', 'histogram', dir, '--out', join(notRun, 'x.png')],
    ]) {
      const r = await pipesimInProcess(args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(/^pipesim: (Unknown argument: sed|Invalid values: Argument: \w+, Given: "\w+", Choices: .*) \(see pipesim --help\)\n$/)]);
      expect(existsSync(notRun), args.join(' ')).toBe(false);
    }
    // Text for a number flag, and a missing one, are named as typed; a generated trace keeps the scenario's limits.
    for (const [args, message] of [
      [['plan', 'video', '--rate', 'abc'], '--rate: expected a number, got abc (see pipesim --help)'],
      [['plan', 'video'], 'missing --rate (see pipesim --help)'],
      [['trace', 'generate', '--pattern', 'steady', '--rate', '-5', '--duration', '1m', '--out', notRun], '--rate: expected a positive number, got -5'],
    ] as const) {
      const r = await pipesimInProcess(args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, `pipesim: ${message}\n`]);
    }
    expect(existsSync(notRun)).toBe(false);
    const out = join(dir, 'never');
    for (const [args, message] of [
      [['--seeds'], '--seeds: name at least one seed, e.g. --seeds 1 2 3'],
      [['--seeds', '1', '2', '1'], '--seeds: 1 is named twice'],
      [['--seeds', '2.5'], '--seeds: expected a non-negative integer, got 2.5'],
      [['--seeds', 'x'], '--seeds: expected a non-negative integer, got x'],
      [['--seed', '2', '--seeds', '1'], '--seed and --seeds: give one of them'],
      [['--seed', '-3'], '--seed: expected a non-negative integer, got -3'],
    ] as const) {
      const r = await pipesimInProcess(['experiment', 'ipa', ...args, '--out', out]);
      expect([r.code, r.stderr]).toEqual([2, `pipesim: ${message}\n`]);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('a run that fails part-way leaves no file that looks complete', () => {
    const dir = tempDir();
    const scenario = join(dir, 's.yaml');
    writeFileSync(scenario, 'workload: {arrivals: {kind: trace, path: nowhere.txt}}\npipeline: {stages: [{service: {mean: 8ms}}]}\n');
    const out = join(dir, 'run');
    const r = pipesim(['run', scenario, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nowhere.txt: cannot read the trace (ENOENT)');
    expect(existsSync(out)).toBe(false); // the folder it made, left empty, is removed
    // In a folder that was there before: the streamed tables' temporary files are removed, the folder stays.
    mkdirSync(out);
    expect(pipesim(['run', scenario, '--out', out]).code).toBe(2);
    expect(readdirSync(out)).toEqual([]);
  });

  it('--help explains the commands and options', () => {
    const top = pipesim(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['run <scenario>', 'validate <scenario>', 'schema', 'trace']) expect(top.stdout).toContain(cmd);
    const run = pipesim(['run', '--help']);
    for (const opt of ['--seed', '--out', '--set', 'scenarios/quickstart.yaml']) expect(run.stdout).toContain(opt);
  });
});

describe('pipesim trace and validate', () => {
  it('generates a seeded trace reproducibly and reports its stats', () => {
    const dir = tempDir();
    const args = ['trace', 'generate', '--pattern', 'steady', '--rate', '7', '--duration', '10m', '--seed', '3'];
    expect(pipesim([...args, '--out', join(dir, 'a.txt')]).code).toBe(0);
    expect(pipesim([...args, '--out', join(dir, 'b.txt')]).code).toBe(0);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe(readFileSync(join(dir, 'b.txt'), 'utf8'));
    const stats = pipesim(['trace', 'stats', join(dir, 'a.txt')]);
    expect(stats.stdout).toMatch(/: 600 s, \d+ requests, mean [67]\.\d\d\/s/);
    const expanded = pipesim(['trace', 'expand', join(dir, 'a.txt'), '--expand', 'even', '--out', join(dir, 'a.csv')]);
    expect(expanded.code).toBe(0);
    expect(readFileSync(join(dir, 'a.csv'), 'utf8').startsWith('time\n0\n')).toBe(true);
  });

  it('validate prints the resolved scenario with defaults filled in', () => {
    const r = pipesim(['validate', 'scenarios/mm4.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('routing: round-robin');
    expect(r.stdout).toContain('warmup: 100');
  });
});
