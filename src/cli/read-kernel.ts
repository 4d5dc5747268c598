// Reads the kernel file for `hvdbg run` (the CLI's one file-system host service); failures become a
// UsageError-style one-liner: "cannot read <file>: <reason>".
import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

/** The file's bytes, or a UsageError naming the file and why it cannot be read. */
export function readKernel(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`hvdbg: cannot read ${path}: ${describeFsError(error)}`);
  }
}

/** A short reason for a failed file operation ("no such file", "permission denied", …). */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EISDIR': return 'is a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a component of the path is not a directory';
    case 'ELOOP': return 'too many symbolic links';
  }
  return error instanceof Error ? error.message : String(error);
}
