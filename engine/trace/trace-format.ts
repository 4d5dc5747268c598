// The .hvtrace text format (docs/trace-format.md): one header line, "# key: value" metadata lines, then
// one line per VM event — "seq instructions kind reason name=value …". Writer and reader live here.
import type { EventField } from './event-fields.js';

export const TRACE_MAGIC = '# hvdbg-trace';
export const TRACE_VERSION = 1;

/** One event line of a trace. */
export interface TraceRecord {
  seq: number;           // 1, 2, 3 … in the order the events happened
  instructions: number;  // the vCPU's retired-instruction count at the event
  kind: string;          // exit, hypercall, callout, trap, interrupt, audit
  reason: string;        // the reason key (io, cpuid, hlt …; hypercall name; trap vectorN …)
  fields: EventField[];  // name=value pairs, in file order
}

/** A whole trace file, read back. */
export interface TraceFile {
  version: number;
  meta: Map<string, string>;  // "# key: value" lines (kernel, strategy, end …)
  records: TraceRecord[];
}

/** A malformed trace file: the message names the line and what is wrong with it. */
export class TraceFormatError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const BARE_VALUE = /^[^\s"=\\]+$/;
const KEY = /^[A-Za-z0-9_.-]+$/;

/** The header: the magic line and one metadata line per entry (keys are words, values one line). */
export function formatTraceHeader(meta: ReadonlyArray<readonly [string, string]>): string {
  let text = `${TRACE_MAGIC} ${TRACE_VERSION}\n`;
  for (const [key, value] of meta) text += formatMetaLine(key, value);
  return text;
}

export function formatMetaLine(key: string, value: string): string {
  if (!KEY.test(key)) throw new TraceFormatError(`trace metadata key ${JSON.stringify(key)} is not a word`);
  return `# ${key}: ${value.replace(/[\r\n]+/g, ' ')}\n`;
}

/** One event line, ending in a newline. */
export function formatTraceRecord(r: TraceRecord): string {
  let line = `${r.seq} ${r.instructions} ${r.kind} ${r.reason}`;
  for (const [name, value] of r.fields) {
    if (!NAME.test(name)) throw new TraceFormatError(`trace field name ${JSON.stringify(name)} is not a word`);
    line += ` ${name}=${quoteValue(value)}`;
  }
  return line + '\n';
}

function quoteValue(value: string): string {
  if (BARE_VALUE.test(value)) return value;
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r') + '"';
}

/** Parses a whole .hvtrace text; throws TraceFormatError naming the first bad line. */
export function parseTrace(text: string): TraceFile {
  const lines = text.split(/\r?\n/);
  const first = lines[0] ?? '';
  const magic = /^# hvdbg-trace (\d+)\s*$/.exec(first);
  if (!magic) throw new TraceFormatError(`line 1: not an hvdbg trace (expected "${TRACE_MAGIC} ${TRACE_VERSION}", found ${JSON.stringify(first.slice(0, 40))})`);
  const version = Number(magic[1]);
  if (version !== TRACE_VERSION) throw new TraceFormatError(`line 1: trace version ${version} is not supported (this reader knows version ${TRACE_VERSION})`);
  const meta = new Map<string, string>();
  const records: TraceRecord[] = [];
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k];
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*([A-Za-z0-9_.-]+):\s?(.*)$/.exec(line);
      if (m) meta.set(m[1], m[2]);
      continue;                                   // any other "#" line is a comment
    }
    records.push(parseRecord(line, k + 1));
  }
  return { version, meta, records };
}

function parseRecord(line: string, lineNumber: number): TraceRecord {
  const fail = (what: string): never => { throw new TraceFormatError(`line ${lineNumber}: ${what}`); };
  const head = /^(\d+) (\d+) ([a-z]+) (\S+)/.exec(line);
  if (!head) fail('expected "seq instructions kind reason" at the start of an event line');
  const [, seq, instructions, kind, reason] = head!;
  const fields: [string, string][] = [];
  let pos = head![0].length;
  while (pos < line.length) {
    if (line[pos] !== ' ') fail(`expected a space before column ${pos + 1}`);
    pos++;
    const eq = line.indexOf('=', pos);
    if (eq < 0) fail(`field at column ${pos + 1} has no "="`);
    const name = line.slice(pos, eq);
    if (!NAME.test(name)) fail(`bad field name ${JSON.stringify(name)} at column ${pos + 1}`);
    pos = eq + 1;
    let value = '';
    if (line[pos] === '"') {
      pos++;
      for (;;) {
        if (pos >= line.length) fail(`unterminated quoted value of ${name}`);
        const c = line[pos++];
        if (c === '"') break;
        if (c !== '\\') { value += c; continue; }
        const escaped = line[pos++];
        if (escaped === 'n') value += '\n';
        else if (escaped === 'r') value += '\r';
        else if (escaped === '"' || escaped === '\\') value += escaped;
        else fail(`unknown escape "\\${escaped ?? ''}" in the value of ${name}`);
      }
    } else {
      const end = line.indexOf(' ', pos);
      value = line.slice(pos, end < 0 ? line.length : end);
      if (value === '' || !BARE_VALUE.test(value)) fail(`bad value for ${name} at column ${pos + 1}`);
      pos += value.length;
    }
    fields.push([name, value]);
  }
  return { seq: Number(seq), instructions: Number(instructions), kind, reason, fields };
}
