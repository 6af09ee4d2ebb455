import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers.js';

/**
 * Several processes make the same results folder at once: a sweep's shards on Slurm or the pods of
 * a Kubernetes Job all start into one --out. Threads released together by Atomics stand for them.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then(({ makeFolders }) => {
  const flag = new Int32Array(workerData.flag);
  parentPort.on('message', (dir) => {
    Atomics.wait(flag, 0, 0);
    try { parentPort.postMessage({ made: makeFolders(dir) ?? null }); }
    catch (err) { parentPort.postMessage({ error: err.code ?? String(err) }); }
  });
  parentPort.postMessage('ready');
});`;

describe('makeFolders', () => {
  it('lets several writers make the same folders at the same moment; each folder is reported made by one of them', async () => {
    const flag = new SharedArrayBuffer(4);
    const module = pathToFileURL(resolve('dist/io/atomic.js')).href;
    const workers = Array.from({ length: 6 }, () => new Worker(WORKER, { eval: true, workerData: { module, flag } }));
    const next = (w: Worker) => new Promise<unknown>((done) => w.once('message', done));
    try {
      await Promise.all(workers.map(next));
      const base = tempDir();
      for (let round = 0; round < 30; round++) {
        const dir = join(base, String(round), 'a', 'b');
        const view = new Int32Array(flag);
        Atomics.store(view, 0, 0);
        const answers = workers.map(next);
        for (const w of workers) w.postMessage(dir);
        await new Promise((r) => setTimeout(r, 5));
        Atomics.store(view, 0, 1);
        Atomics.notify(view, 0);
        const results = (await Promise.all(answers)) as { made?: string | null; error?: string }[];
        expect(results.filter((r) => r.error !== undefined)).toEqual([]);
        const made = results.map((r) => r.made).filter((m) => m !== null);
        expect(new Set(made).size).toBe(made.length);
        expect(made).toContain(join(base, String(round)));
        expect(existsSync(dir)).toBe(true);
      }
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });
});
