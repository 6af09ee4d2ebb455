import { atomicTarget } from './atomic.js';

/** What a file-system error code means, in words. */
const FILE_SYSTEM_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENOENT: 'no such file or folder',
  EEXIST: 'it already exists',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
};
const SYSCALL_VERBS: Record<string, string> = { mkdir: 'make the folder', open: 'open', rename: 'rename', unlink: 'remove', rmdir: 'remove', scandir: 'list', write: 'write', copyfile: 'copy', cp: 'copy' };

/**
 * A file-system failure the user can act on (a folder that cannot be made, a file that cannot be
 * written: read-only mounts, permissions, a full disk), as one line naming the path and the
 * reason; undefined for any other error.
 */
export function fileSystemProblem(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, path, syscall, dest } = err as NodeJS.ErrnoException & { dest?: string };
  if (typeof code !== 'string' || FILE_SYSTEM_REASONS[code] === undefined || path === undefined) return undefined;
  // A file written atomically fails on its temporary name; the user knows the file, not that name.
  const target = atomicTarget(path);
  const verb = target !== undefined ? 'write' : ((syscall && SYSCALL_VERBS[syscall]) ?? syscall ?? 'use');
  return `cannot ${verb} ${target ?? path}${dest && target === undefined ? ` as ${dest}` : ''}: ${FILE_SYSTEM_REASONS[code]}`;
}
