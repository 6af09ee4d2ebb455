// Child process of bench/run.js: this machine's memory latency by working-set size, the context
// for the replica-scaling figures. A chain of dependent loads visits one 64-byte line after
// another in a random cycle through W bytes, so each load waits for the one before, as a
// completing batch waits for its replica, then its batch, then its requests. Prints nanoseconds
// per load for each W (KiB) as JSON.
const STEPS = 4_000_000;
const sizesKiB = process.argv.slice(2).map(Number);
const out = [];
for (const kib of sizesKiB) {
  const lines = (kib * 1024) / 64;
  const next = new Int32Array(lines * 16);
  // Sattolo's shuffle: a single cycle through every line, in random order.
  const order = Int32Array.from({ length: lines }, (_, i) => i);
  for (let i = lines - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let i = 0; i < lines; i++) next[order[i] * 16] = order[(i + 1) % lines] * 16;
  let at = 0;
  for (let i = 0; i < lines; i++) at = next[at];
  const start = process.hrtime.bigint();
  for (let i = 0; i < STEPS; i++) at = next[at];
  const ns = Number(process.hrtime.bigint() - start) / STEPS;
  out.push({ kib, ns, end: at });
}
process.stdout.write(JSON.stringify(out.map(({ kib, ns }) => ({ kib, ns }))) + '\n');
