// Command-line parsing for hvdbg subcommands: --name value, --name=value, flags, -h/--help and "--",
// plus the value parsers for sizes (64M), counts and seconds, each failing with a clear UsageError.
import { UsageError } from './usage-error.js';

/** One option a subcommand accepts. */
export interface OptionSpec {
  name: string;           // long name without dashes, e.g. "mem"
  takesValue: boolean;    // true for --name VALUE, false for a flag
  alias?: string;         // one-letter short form, e.g. "m" for -m
}

/** What parseCommandLine found. */
export interface ParsedArgs {
  values: Map<string, string>; // options with a value (the last one wins when repeated)
  all: Map<string, string[]>;  // every value of each option, in order (for repeatable options)
  flags: Set<string>;          // flags that were given
  positionals: string[];       // everything else, in order
  help: boolean;               // -h or --help was given
}

/** Splits argv for command (e.g. "hvdbg run") according to specs. */
export function parseCommandLine(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const out: ParsedArgs = { values: new Map(), all: new Map(), flags: new Set(), positionals: [], help: false };
  const seeHelp = `(see ${command} --help)`;
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (arg === '--') { out.positionals.push(...argv.slice(k + 1)); break; }
    if (arg === '-h' || arg === '--help') { out.help = true; continue; }
    if (!arg.startsWith('-') || arg === '-') { out.positionals.push(arg); continue; }
    const eq = arg.indexOf('=');
    const written = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = arg.startsWith('--')
      ? specs.find((s) => s.name === written.slice(2))
      : specs.find((s) => s.alias !== undefined && s.alias === written.slice(1));
    if (!spec) throw new UsageError(`${command}: unknown option '${written}' ${seeHelp}`);
    if (!spec.takesValue) {
      if (eq >= 0) throw new UsageError(`${command}: option ${written} takes no value ${seeHelp}`);
      out.flags.add(spec.name);
    } else {
      if (eq < 0 && k + 1 >= argv.length) throw new UsageError(`${command}: option ${written} needs a value ${seeHelp}`);
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++k];
      out.values.set(spec.name, value);
      out.all.set(spec.name, [...(out.all.get(spec.name) ?? []), value]);
    }
  }
  return out;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a byte size: plain bytes or a whole number with K, M or G (binary units; KiB/MB etc. also accepted). */
export function parseSize(text: string, option: string): number {
  const m = /^(\d+)\s*([kmg]?)(i?b)?$/i.exec(text.trim());
  if (!m || (m[3] && !m[2] && m[3].toLowerCase() !== 'b')) {
    throw new UsageError(`${option}: '${text}' is not a size (write bytes, or a whole number with K, M or G, e.g. 64M)`);
  }
  const bytes = Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()];
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`${option}: '${text}' is too large`);
  return bytes;
}

/** Parses a positive whole number (digits, optionally grouped with underscores: 1_000_000). */
export function parseCount(text: string, option: string): number {
  if (!/^\d+(_\d+)*$/.test(text)) throw new UsageError(`${option}: '${text}' is not a whole number`);
  const n = Number(text.replace(/_/g, ''));
  if (n <= 0) throw new UsageError(`${option}: must be at least 1 (got ${text})`);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${option}: '${text}' is too large (at most ${Number.MAX_SAFE_INTEGER})`);
  return n;
}

/** Parses a positive number of seconds, e.g. 10 or 2.5. */
export function parseSeconds(text: string, option: string): number {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) throw new UsageError(`${option}: '${text}' is not a number of seconds`);
  const s = Number(text);
  if (!(s > 0)) throw new UsageError(`${option}: must be more than 0 seconds (got ${text})`);
  return s;
}
