// Path handling for file names from DWARF line tables, without node:path (the engine runs anywhere):
// joins directory and file entries, normalises "." and "..", and recognises POSIX and Windows roots.

/** True for "/x", "\\x", "C:/x" and "C:\\x". */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

/** Joins path parts left to right; an absolute part discards what came before. */
export function joinPath(...parts: (string | undefined)[]): string {
  let out = '';
  for (const part of parts) {
    if (!part) continue;
    if (!out || isAbsolutePath(part)) out = part;
    else out = out.endsWith('/') || out.endsWith('\\') ? out + part : `${out}/${part}`;
  }
  return normalizePath(out);
}

/** Removes "." segments, resolves ".." where possible and collapses repeated separators. */
export function normalizePath(p: string): string {
  if (!p) return p;
  const windows = /^[A-Za-z]:[\\/]/.test(p) || (p.includes('\\') && !p.includes('/'));
  const sep = windows ? '\\' : '/';
  let root = '';
  let rest = p;
  const drive = /^([A-Za-z]:)[\\/]/.exec(p);
  if (drive) { root = drive[1] + sep; rest = p.slice(3); }
  else if (p.startsWith('/') || p.startsWith('\\')) { root = sep; rest = p.replace(/^[\\/]+/, ''); }
  const out: string[] = [];
  for (const seg of rest.split(/[\\/]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (seg === '..' && root) continue; // above the root stays at the root
    else out.push(seg);
  }
  const joined = out.join(sep);
  return root + joined || (root ? root : '.');
}

/** The path's segments (lower-cased for Windows paths, which compare case-insensitively). */
export function pathSegments(p: string): string[] {
  const segs = normalizePath(p).split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  return /^[A-Za-z]:/.test(p) ? segs.map((s) => s.toLowerCase()) : segs;
}

/** The last segment of a path. */
export function baseName(p: string): string {
  const segs = p.split(/[\\/]+/).filter(Boolean);
  return segs[segs.length - 1] ?? '';
}
