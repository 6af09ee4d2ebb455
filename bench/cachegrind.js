// Child process of bench/run.js (with BENCH_CACHEGRIND=1): the replica-scaling model under
// valgrind's cachegrind, which counts instructions and simulated cache misses instead of timing
// them, so the figures hold whatever else the shared machine is doing. Each size runs twice, with
// 200,000 and 600,000 requests; the difference over the 400,000 between is the cluster when full,
// without start-up. The last-level cache is set to 4 MiB, about where this machine's latency
// jumps (bench/memory-latency.js). JIT timing still moves the counts by a few percent.
// Prints, per size, instructions and last-level data-cache misses per request as JSON.
import { spawnSync } from 'node:child_process';

const SHORT = 200_000;
const LONG = 600_000;

function counts(replicas, requests) {
  const r = spawnSync(
    'valgrind',
    ['--tool=cachegrind', '--cache-sim=yes', '--smc-check=all-non-file', '--LL=4194304,16,64', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', 'bench/replicas.js', String(replicas), String(requests)],
    { encoding: 'utf8' },
  );
  if (r.error !== undefined) fail(r.error.message.includes('ENOENT') ? 'valgrind is not installed' : r.error.message);
  if (r.status !== 0) fail(`valgrind exited with ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const count = (label) => {
    const match = new RegExp(`${label}:\\s+([\\d,]+)`).exec(r.stderr);
    if (match === null) fail(`no "${label}" count in valgrind's report`);
    return Number(match[1].replaceAll(',', ''));
  };
  return { instructions: count('I\\s+refs'), llMisses: count('LLd misses') };
}

/** Say why on one line of stderr (bench/run.js prints it) and stop. */
function fail(reason) {
  process.stderr.write(`${reason}\n`);
  process.exit(1);
}

const out = [];
for (const replicas of process.argv.slice(2).map(Number)) {
  const short = counts(replicas, SHORT);
  const long = counts(replicas, LONG);
  const n = LONG - SHORT;
  out.push({ replicas, instructionsPerRequest: (long.instructions - short.instructions) / n, llMissesPerRequest: (long.llMisses - short.llMisses) / n });
}
process.stdout.write(JSON.stringify(out) + '\n');
