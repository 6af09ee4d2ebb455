import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { InputError } from '../errors.js';
import { temporaryState } from '../io/atomic.js';

/** Every temporary file or folder under `root` (not looking inside the temporary folders), with its state. */
function temporaries(root: string): { path: string; state: NonNullable<ReturnType<typeof temporaryState>>; bytes: number }[] {
  const found: { path: string; state: NonNullable<ReturnType<typeof temporaryState>>; bytes: number }[] = [];
  const size = (path: string): number => {
    const s = statSync(path);
    return s.isDirectory() ? readdirSync(path).reduce((n, f) => n + size(join(path, f)), 0) : s.size;
  };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const state = temporaryState(entry.name);
      if (state !== undefined) found.push({ path, state, bytes: size(path) });
      else if (entry.isDirectory() && entry.name !== 'node_modules') walk(path);
    }
  };
  walk(root);
  return found;
}

export function cleanCommand(yargs: Argv) {
  return yargs.command(
    'clean <folders..>',
    'Remove the temporary files a killed run, sweep or experiment left in results folders',
    (y) =>
      y
        .positional('folders', { type: 'string', array: true, demandOption: true, describe: 'results folders to search (with everything below them)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'list what would be removed, remove nothing' })
        .option('other-hosts', { type: 'boolean', default: false, describe: 'also remove temporary files written from other machines (only when none of them is still running)' })
        .example('$0 clean results', 'after a run was killed with kill -9 or the machine went down')
        .epilogue(
          'Temporary files are named <file>.<host>-<pid>-<random>.tmp (sweep runs: runs/.tmp-<id>-<host>-<pid>-<random>). Those of a process that still runs on this machine are kept; those written from another machine are kept unless --other-hosts is given. A run into the same folder, and a sweep or experiment run again, clean up after themselves too.',
        ),
    (argv) => {
      let removed = 0;
      let bytes = 0;
      for (const folder of argv.folders) {
        if (!existsSync(folder)) throw new InputError(`${folder}: no such folder`);
        for (const t of temporaries(folder)) {
          const remove = t.state === 'stale' || (t.state === 'other host' && argv['other-hosts']);
          if (!remove) {
            process.stdout.write(`kept     ${t.path} (${t.state === 'in use' ? 'its process is still running' : 'written from another machine; --other-hosts removes it'})\n`);
            continue;
          }
          process.stdout.write(`${argv['dry-run'] ? 'would remove' : 'removed'} ${t.path} (${(t.bytes / 1e6).toFixed(1)} MB)\n`);
          if (!argv['dry-run']) rmSync(t.path, { recursive: true, force: true });
          removed++;
          bytes += t.bytes;
        }
      }
      process.stdout.write(`${argv['dry-run'] ? 'would remove' : 'removed'} ${removed} temporary file${removed === 1 ? '' : 's'} (${(bytes / 1e6).toFixed(1)} MB)\n`);
    },
  );
}
