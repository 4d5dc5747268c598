// Scanner for the engine's import rule (DESIGN.md): engine/ must not import vscode, @vscode/*, Node
// built-ins or use the DOM or Node-only globals. Works on source text, so it sees every import form.
import { builtinModules } from 'node:module';

/** One broken rule, located in the file. */
export interface Violation {
  line: number;    // 1-based line of the offending text
  rule: string;    // which rule, in words
  text: string;    // the offending specifier or identifier
}

/** Masks of one source file: comments blanked (strings kept), and comments plus string contents blanked. */
export interface MaskedSource {
  withoutComments: string;
  codeOnly: string;
}

/**
 * Blanks comments, and separately string/template contents, keeping every newline so offsets map to
 * the same lines. Regular-expression literals are recognised by what precedes the slash.
 */
export function maskSource(source: string): MaskedSource {
  const noComments = source.split('');
  const code = source.split('');
  const blank = (target: string[], from: number, to: number): void => {
    for (let k = from; k < to; k++) if (target[k] !== '\n') target[k] = ' ';
  };
  const templateDepth: number[] = []; // for each open `${`: the brace depth to return to the template
  let braces = 0;
  let i = 0;
  let lastSignificant = '';
  while (i < source.length) {
    const c = source[i], next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? source.length : end;
      blank(noComments, i, stop); blank(code, i, stop); i = stop; continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      blank(noComments, i, stop); blank(code, i, stop); i = stop; continue;
    }
    if (c === '\'' || c === '"') {
      const stop = skipQuoted(source, i, c);
      blank(code, i + 1, stop - 1); i = stop; lastSignificant = c; continue;
    }
    if (c === '`' || (c === '}' && templateDepth.length > 0 && templateDepth[templateDepth.length - 1] === braces)) {
      if (c === '}') templateDepth.pop();
      const { stop, opensExpression } = skipTemplateChunk(source, i + 1);
      blank(code, i + 1, opensExpression ? stop - 2 : stop - 1);
      if (opensExpression) templateDepth.push(braces);
      i = stop; lastSignificant = '`'; continue;
    }
    if (c === '/' && startsRegex(lastSignificant)) {
      const stop = skipRegex(source, i);
      blank(code, i + 1, stop); i = stop; lastSignificant = '/'; continue;
    }
    if (c === '{') braces++;
    if (c === '}') braces--;
    if (!/\s/.test(c)) lastSignificant = /[\w$]/.test(c) ? readWordBackwards(source, i) : c;
    i++;
  }
  return { withoutComments: noComments.join(''), codeOnly: code.join('') };
}

/** Index just after the closing quote of a '…' or "…" string starting at start. */
function skipQuoted(source: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < source.length && source[i] !== quote && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, source.length);
}

/** Scans template text from start to the closing backtick or to a `${`. */
function skipTemplateChunk(source: string, start: number): { stop: number; opensExpression: boolean } {
  let i = start;
  while (i < source.length) {
    if (source[i] === '\\') { i += 2; continue; }
    if (source[i] === '`') return { stop: i + 1, opensExpression: false };
    if (source[i] === '$' && source[i + 1] === '{') return { stop: i + 2, opensExpression: true };
    i++;
  }
  return { stop: source.length, opensExpression: false };
}

/** Index just after the flags of a regular-expression literal starting at start. */
function skipRegex(source: string, start: number): number {
  let i = start + 1, inClass = false;
  while (i < source.length && source[i] !== '\n') {
    const c = source[i];
    if (c === '\\') { i += 2; continue; }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) { i++; break; }
    i++;
  }
  while (i < source.length && /[a-z]/i.test(source[i])) i++;
  return i;
}

/** A slash after these starts a regular expression, after anything else it divides. */
function startsRegex(lastSignificant: string): boolean {
  if (lastSignificant === '') return true;
  if (/^[\w$]+$/.test(lastSignificant)) return ['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'void', 'yield', 'await'].includes(lastSignificant);
  return !(')]}\'"`'.includes(lastSignificant));
}

/** The identifier or keyword that ends at index end (inclusive). */
function readWordBackwards(source: string, end: number): string {
  let start = end;
  while (start > 0 && /[\w$]/.test(source[start - 1])) start--;
  let stop = end;
  while (stop + 1 < source.length && /[\w$]/.test(source[stop + 1])) stop++;
  return source.slice(start, stop + 1);
}

const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** Why a module specifier is forbidden in engine/, or undefined when it is allowed. */
export function forbiddenModule(specifier: string): string | undefined {
  if (specifier === 'vscode') return 'imports the VS Code API';
  if (specifier.startsWith('@vscode/')) return 'imports a @vscode/* package';
  if (specifier.startsWith('node:')) return 'imports a Node built-in module';
  if (NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0])) return 'imports a Node built-in module';
  return undefined;
}

/** Import forms whose specifier is a string literal: static, side-effect, re-export, dynamic, require, import type. */
const IMPORT_PATTERNS: RegExp[] = [
  /\bfrom\s*(['"])([^'"\n]+)\1/g,                    // import … from 'x'; export … from 'x'
  /\bimport\s*(['"])([^'"\n]+)\1/g,                  // import 'x'
  /\bimport\s*\(\s*(['"`])([^'"`\n]+)\1/g,           // import('x'), type T = import('x').T
  /\brequire\s*\(\s*(['"`])([^'"`\n]+)\1/g,          // require('x'), import x = require('x')
];

/** Triple-slash directives that pull in Node or DOM typings. */
const REFERENCE_PATTERN = /^\s*\/\/\/\s*<reference\s+(types|lib|path)\s*=\s*(['"])([^'"]+)\2/gm;

/** Browser-only names: window/document/… used as objects, DOM element and API types. */
const DOM_USE = /(?<![\w$.])(?:(?:window|document|navigator|localStorage|sessionStorage)\s*(?:\?\.|\.|\[)|typeof\s+(?:window|document)\b|HTML\w*Element\b|(?:DOMParser|XMLHttpRequest|MutationObserver)\b)/g;
/** Node-only names: process.*, Buffer, __dirname/__filename, setImmediate/clearImmediate calls. */
const NODE_GLOBAL_USE = /(?<![\w$.])(?:process\s*(?:\?\.|\.|\[)|Buffer\b|__dirname\b|__filename\b|(?:setImmediate|clearImmediate)\s*\()/g;

/** Every violation of the engine import rule in one file's source text. */
export function scanEngineSource(source: string): Violation[] {
  const { withoutComments, codeOnly } = maskSource(source);
  const lineOf = (offset: number): number => source.slice(0, offset).split('\n').length;
  const inCode = (offset: number): boolean => codeOnly[offset] === source[offset];
  const violations: Violation[] = [];
  const add = (offset: number, rule: string, text: string): void => { violations.push({ line: lineOf(offset), rule, text }); };
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of withoutComments.matchAll(pattern)) {
      const why = forbiddenModule(m[2]);
      if (why && inCode(m.index ?? 0)) add(m.index ?? 0, why, m[2]);
    }
  }
  for (const m of codeOnly.matchAll(/(?<![\w$.])(import|require)\s*\(\s*(?![\s'"`)])/g)) {
    add(m.index ?? 0, `${m[1]}() of a computed module name, which this check cannot verify`, m[0].trim());
  }
  for (const m of source.matchAll(REFERENCE_PATTERN)) {
    const [, kind, , value] = m;
    if ((kind === 'lib' && /^dom/i.test(value)) || (kind === 'types' && (value === 'node' || value.startsWith('vscode')))) {
      add(m.index ?? 0, `references ${kind} "${value}"`, m[0].trim());
    }
  }
  for (const m of codeOnly.matchAll(DOM_USE)) add(m.index ?? 0, 'uses the DOM', m[0].trim());
  for (const m of codeOnly.matchAll(NODE_GLOBAL_USE)) add(m.index ?? 0, 'uses a Node-only global', m[0].trim());
  return violations.sort((a, b) => a.line - b.line);
}
