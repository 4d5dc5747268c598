// Turns the source paths of line tables (often relative: "./guests/hello/hello.c" with the compile
// directory ".") into absolute paths a client can open: tried against the launch's sourceRoot, the
// program's directory and its ancestors, and the working directory; the first that exists wins.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export class SourcePaths {
  private readonly cache = new Map<string, string>();
  private readonly roots: string[];

  constructor(program: string, sourceRoot?: string) {
    const roots: string[] = [];
    if (sourceRoot) roots.push(resolve(sourceRoot));
    for (let dir = dirname(resolve(program)); ; dir = dirname(dir)) {
      roots.push(dir);
      if (dirname(dir) === dir) break;
    }
    roots.push(process.cwd());
    this.roots = roots;
  }

  /** The absolute path of a line-table path (unchanged when absolute or found nowhere). */
  resolve(path: string): string {
    if (isAbsolute(path)) return path;
    let found = this.cache.get(path);
    if (found === undefined) {
      found = this.roots.map((root) => join(root, path)).find((candidate) => existsSync(candidate)) ?? resolve(this.roots[0], path);
      this.cache.set(path, found);
    }
    return found;
  }
}
