// Matching a source path the editor gives (absolute, on this machine) against the paths in the line
// tables (relative to the compilation directory, or absolute on the build machine): the more
// trailing segments agree, the better; the file names themselves must agree. Windows paths compare
// case-insensitively.
import { pathSegments } from '../dwarf/path.js';

const isWindowsPath = (p: string) => /^[A-Za-z]:/.test(p) || (p.includes('\\') && !p.includes('/'));

/** How many trailing path segments agree (0 when the file names differ). */
export function suffixMatch(candidate: string, requested: string): number {
  const fold = isWindowsPath(candidate) || isWindowsPath(requested);
  const norm = (p: string) => pathSegments(p).map((s) => (fold ? s.toLowerCase() : s));
  const a = norm(candidate), b = norm(requested);
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/** The candidates that best match requested (several when equally good; none when no file name agrees). */
export function bestMatches(candidates: Iterable<string>, requested: string): string[] {
  let best = 0;
  let out: string[] = [];
  for (const c of candidates) {
    const score = suffixMatch(c, requested);
    if (score <= 0) continue;
    if (score > best) { best = score; out = [c]; } else if (score === best) out.push(c);
  }
  return out;
}
