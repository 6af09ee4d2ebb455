import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, rmdirSync, writeSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';

/**
 * Write a whole file so that readers see either the old content or the new one,
 * never a half-written file: write to a temporary name beside it, then rename.
 */
/**
 * A name part no other writer uses at the same moment: processes on several hosts (or pods, which
 * often share PID 1) may write into one shared folder.
 */
export function uniqueSuffix(): string {
  return `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Whether `name` is a temporary file or folder left by pipesim's atomic writers or by a sweep's run
 * in progress (`<file>.<host>-<pid>-<hex>.tmp`, `.tmp-<id>-<host>-<pid>-<hex>`): `in use` while its
 * process still runs on this host, `stale` when it does not, `other host` when another machine
 * wrote it (a shared folder: whether it is still in use cannot be told from here); undefined for
 * any other name.
 */
export function temporaryState(name: string): 'stale' | 'in use' | 'other host' | undefined {
  const host = escapeRegExp(hostname());
  const local = new RegExp(`(?:\\.${host}-(\\d+)-[0-9a-f]{8}\\.tmp|^\\.tmp-[0-9a-f]+-${host}-(\\d+)-[0-9a-f]{8})$`).exec(name);
  if (local === null) return /(?:-\d+-[0-9a-f]{8}\.tmp|^\.tmp-[0-9a-f]+-.+-\d+-[0-9a-f]{8})$/.test(name) ? 'other host' : undefined;
  try {
    process.kill(Number(local[1] ?? local[2]), 0);
    return 'in use';
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'in use' : 'stale';
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^$()|[\]{}\\]/g, '\\$&');

/** The file a temporary name of this process's atomic writers stands for (`<file>.<suffix>.tmp`), else undefined. */
export function atomicTarget(path: string): string | undefined {
  const tail = new RegExp(`\\.${escapeRegExp(hostname())}-${process.pid}-[0-9a-f]{8}\\.tmp$`);
  return tail.test(path) ? path.replace(tail, '') : undefined;
}

/**
 * Make a results folder; the function returned undoes it on failure: it removes the folders this
 * call created (the results folder and any parents) that are empty, so a run that fails leaves
 * no empty folder behind. It never throws: the failure being reported matters more.
 */
export function makeResultsFolder(dir: string): () => void {
  const first = makeFolders(dir);
  return () => {
    if (first === undefined) return;
    try {
      for (let d = resolve(dir); readdirSync(d).length === 0; d = dirname(d)) {
        rmdirSync(d);
        if (d === resolve(first)) break;
      }
    } catch {
      // Left as it is: a folder that vanished or cannot be listed is not worth hiding the error for.
    }
  };
}

/**
 * mkdir -p: make `dir` and any missing parents; returns the first folder this call made (undefined
 * if it made none; another process may make the same folders at the same time). One level at a time from the deepest existing ancestor, not mkdirSync's recursive mode,
 * which never returns when a parent exists but refuses new entries with ENOENT (Node 20 on /proc).
 */
export function makeFolders(dir: string): string | undefined {
  const missing: string[] = []; // deepest first
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.push(d);
  let first: string | undefined;
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]);
      first ??= missing[i];
    } catch (err) {
      // Another process (a sweep's other shard, say) made it since it was found missing.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return first;
}

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  makeFolders(dirname(path));
  const temp = `${path}.${uniqueSuffix()}.tmp`;
  try {
    writeFileSync(temp, content);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/**
 * A buffered, synchronous writer for large streamed tables (time series,
 * per-request records). It writes to `<path>.<pid>.tmp` and only `commit()`
 * renames it into place, so an interrupted run leaves no file that looks complete.
 */
export class AtomicStreamWriter {
  private readonly temp: string;
  private fd: number;
  private chunks: string[] = [];
  private buffered = 0;

  /** `durable`: fsync before the rename, so the file survives an operating-system crash too, not only a killed process. */
  constructor(
    readonly path: string,
    private readonly durable = true,
    private readonly flushAt = 1 << 16,
  ) {
    makeFolders(dirname(path));
    this.temp = `${path}.${uniqueSuffix()}.tmp`;
    this.fd = openSync(this.temp, 'w');
  }

  write(text: string): void {
    this.chunks.push(text);
    this.buffered += text.length;
    if (this.buffered >= this.flushAt) this.flush();
  }

  /** Bytes already encoded (see CsvRowEncoder), after everything written before them. */
  writeBytes(bytes: Uint8Array): void {
    this.flush();
    writeSync(this.fd, bytes);
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    writeSync(this.fd, this.chunks.join(''));
    this.chunks = [];
    this.buffered = 0;
  }

  /** Flush, sync and move the file into place. */
  commit(): void {
    this.flush();
    if (this.durable) fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
    renameSync(this.temp, this.path);
  }

  /** Close and delete the temporary file (on failure). */
  abort(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.temp, { force: true });
  }
}
