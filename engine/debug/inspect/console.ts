// Debug-console commands for what no DAP request covers: `info gdt|idt|ldt|tss|tlb|vmcs|regs|fpu`, `walk`,
// `disas`, `x`, `trace last N`, `stats`, `help`. Parses a line and formats the answer as text; bad
// arguments give a message saying what was expected.
import type { Cpu } from '../../cpu/cpu.js';
import type { Vm } from '../../hv/vm.js';
import { CS } from '../../cpu/registers.js';
import type { InspectNode } from './node.js';
import { hex, parseNumber } from './format.js';
import { registerNodes } from './registers.js';
import { controlNodes } from './control.js';
import { fpuNodes } from './fpu.js';
import { describeTableRegister, readGdt, readIdt, readLdt, type DescriptorTable } from './descriptor-tables.js';
import { readTss } from './tss.js';
import { describeTlb } from './tlb.js';
import { describeWalk, walkPageTables } from './page-walk.js';
import { formatListing, listInstructions, type CodeSymbols } from './disassembly.js';
import { readGuestMemory } from './memory-access.js';
import { exitCountLines, findSection, strategySections, type ShownEvent } from './virtualization.js';
import { formatStatistics } from '../../hv/stats/format.js';
import type { VmStatistics } from '../../hv/stats/vm-statistics.js';

/** The event history the console reads (engine/trace EventLog fits). */
export interface EventHistory {
  readonly total: number;
  since(after: number, limit?: number): ShownEvent[];
  countsByKind(): { kind: string; total: number; reasons: { reason: string; count: number }[] }[];
}

/** What the commands look at. */
export interface ConsoleTarget {
  vm: Vm;
  vcpu: number;                                         // the vCPU the commands describe
  symbols?: CodeSymbols & { symbolAddress(name: string): number | undefined };
  events?: EventHistory;                                // undefined when the session keeps no event log
  statistics?: VmStatistics;                            // the session's per-kind/reason statistics with modeled cost
}

export type ConsoleResult = { ok: true; text: string } | { ok: false; error: string };

/** Most events `trace last N` prints. */
export const MAX_TRACE_LINES = 1000;

const HELP = [
  'hvdbg console commands (anything else is evaluated as an expression):',
  '  info regs            general, segment (with hidden base/limit/rights) and control registers',
  '  info gdt | ldt | idt every descriptor decoded (the IVT in real mode)',
  '  info tss             the task-state segment TR selects',
  '  info tlb             cached linear→physical translations',
  '  info fpu             x87 registers and control/status words',
  '  info vmcs            the hw strategy\'s VM-execution controls',
  '  walk ADDR            page-table walk of a linear address (number or symbol)',
  '  disas [ADDR] [N]     N instructions (default 10) at ADDR (default CS:EIP)',
  '  x ADDR [N]           N bytes (default 64, at most 4096) as hex and ASCII; phys:ADDR for physical',
  '  trace last N         the last N VM events (default 20)',
  '  stats                instructions, VM events by kind and reason with modeled cost and top sites',
  '  help                 this list',
];

/** Whether a console line is one of these commands (so the expression evaluator gets the rest). */
export function isConsoleCommand(line: string): boolean {
  const [word, second, third, ...rest] = line.trim().split(/\s+/);
  if (word === 'x') {
    // `x ADDR [N]`, but `x + 1` or `x * 2` stay expressions over a variable named x.
    return second !== undefined && /^((phys|lin):)?[\w.]+$/i.test(second) && (third === undefined || /^\w+$/.test(third)) && rest.length === 0;
  }
  if (word === 'info' || word === 'walk') return second !== undefined;
  if (word === 'disas') return true;
  if (word === 'trace') return second === 'last';
  return (word === 'stats' || word === 'help') && second === undefined;
}

/** Runs a console command; undefined when the line is not one (see isConsoleCommand). */
export function runConsoleCommand(line: string, target: ConsoleTarget): ConsoleResult | undefined {
  if (!isConsoleCommand(line)) return undefined;
  const words = line.trim().split(/\s+/);
  const cpu = target.vm.cpus[target.vcpu] ?? target.vm.cpu;
  switch (words[0]) {
    case 'help': return ok(HELP);
    case 'info': return info(words[1], words.slice(2), cpu, target);
    case 'walk': return walk(words.slice(1), cpu, target);
    case 'disas': return disas(words.slice(1), cpu, target);
    case 'x': return examine(words.slice(1), cpu, target);
    case 'trace': return trace(words.slice(2), target);
    case 'stats': return stats(target);
    default: return undefined;
  }
}

function ok(lines: string[]): ConsoleResult { return { ok: true, text: lines.join('\n') }; }
function error(text: string): ConsoleResult { return { ok: false, error: text }; }

/** An address typed by the user: a number or a symbol name. */
function parseAddress(text: string, target: ConsoleTarget): number | string {
  const value = parseNumber(text) ?? target.symbols?.symbolAddress(text);
  return value ?? `"${text}" is neither a number (0x…) nor a known symbol`;
}

function nodeLines(nodes: InspectNode[], indent = ''): string[] {
  const lines: string[] = [];
  for (const n of nodes) {
    lines.push(`${indent}${n.name.padEnd(8)} ${n.value}`);
    if (n.type === 'selector' && n.children) lines.push(...nodeLines(n.children().slice(1), indent + '    '));
  }
  return lines;
}

function tableLines(table: DescriptorTable, header: string): string[] {
  const lines = [`${table.name}: ${header}`];
  if (table.problem) lines.push(`  ${table.problem}`);
  for (const e of table.entries) {
    if (table.name === 'IDT' && !e.present && e.raw.every((d) => d === 0)) continue; // empty gates: not worth a line each
    lines.push(`  ${e.label.padEnd(7)} ${e.text}`);
  }
  return lines;
}

function info(what: string, rest: string[], cpu: Cpu, target: ConsoleTarget): ConsoleResult {
  if (rest.length > 0) return error(`info ${what} takes no arguments`);
  const describe = target.symbols ? (a: number) => target.symbols!.functionAt(a)?.text : undefined;
  switch (what) {
    case 'regs': case 'registers': return ok([...nodeLines(registerNodes(cpu)), ...nodeLines(controlNodes(cpu))]);
    case 'gdt': { const t = readGdt(cpu, describe); return ok(tableLines(t, describeTableRegister(t))); }
    case 'ldt': {
      const t = readLdt(cpu, describe);
      return ok((cpu.ldtrSel & ~3) === 0 ? [t.problem!] : tableLines(t, `selector ${hex(cpu.ldtrSel, 4)}, ${describeTableRegister(t)}`));
    }
    case 'idt': { const t = readIdt(cpu, describe); return ok(tableLines(t, describeTableRegister(t))); }
    case 'tss': {
      const tss = readTss(cpu);
      if (tss.problem) return ok([tss.problem]);
      return ok([`TSS: selector ${hex(tss.selector, 4)}, ${tss.type}, base ${hex(tss.base)} limit ${hex(tss.limit)}`,
        ...tss.fields.map((f) => `  ${f.name.padEnd(7)} ${f.text}`)]);
    }
    case 'tlb': return ok(describeTlb(cpu));
    case 'fpu': return ok(nodeLines(fpuNodes(cpu.fpu)));
    case 'vmcs': {
      const strategy = target.vm.vcpus[target.vcpu]?.strategy ?? target.vm.strategy;
      const section = findSection(strategy, 'VMCS controls') ?? strategySections(strategy).find((s) => /vmcs/i.test(s.title));
      if (!section) {
        return ok([strategy.name === 'hw'
          ? 'the hw strategy of this build exposes no VMCS controls'
          : `VMCS controls are not available under the ${strategy.name} strategy (they exist only under hw)`]);
      }
      return ok([`${section.title}: ${section.summary}`, ...section.fields.map(([n, v]) => `  ${n.padEnd(28)} ${v}`)]);
    }
    default: return error(`unknown "info ${what}": try info regs, gdt, ldt, idt, tss, tlb, fpu or vmcs`);
  }
}

function walk(args: string[], cpu: Cpu, target: ConsoleTarget): ConsoleResult {
  if (args.length !== 1) return error('usage: walk ADDR (a linear address or a symbol)');
  const address = parseAddress(args[0], target);
  if (typeof address === 'string') return error(address);
  return ok(describeWalk(walkPageTables(cpu, address), cpu));
}

function disas(args: string[], cpu: Cpu, target: ConsoleTarget): ConsoleResult {
  if (args.length > 2) return error('usage: disas [ADDR] [N]');
  let address = (cpu.segBase[CS] + cpu.eip) >>> 0;
  if (args[0] !== undefined) {
    const parsed = parseAddress(args[0], target);
    if (typeof parsed === 'string') return error(parsed);
    address = parsed;
  }
  const count = args[1] === undefined ? 10 : parseNumber(args[1]);
  if (count === undefined || count < 1 || count > 500) return error('disas: N must be a number from 1 to 500');
  return ok(formatListing(listInstructions(cpu, { location: { space: 'linear', address }, count, symbols: target.symbols })));
}

/** Most bytes `x` dumps. */
export const MAX_DUMP = 4096;

function examine(args: string[], cpu: Cpu, target: ConsoleTarget): ConsoleResult {
  if (args.length > 2) return error('usage: x ADDR [N] (ADDR a linear address, a symbol, or phys:ADDR)');
  const physical = /^phys:/i.test(args[0]);
  const address = parseAddress(physical ? args[0].slice(5) : args[0].replace(/^lin:/i, ''), target);
  if (typeof address === 'string') return error(address);
  const count = args[1] === undefined ? 64 : parseNumber(args[1]);
  if (count === undefined || count < 1 || count > MAX_DUMP) return error(`x: N must be a number from 1 to ${MAX_DUMP}`);
  const read = readGuestMemory(cpu, { space: physical ? 'physical' : 'linear', address }, Math.min(count, 0x1_0000_0000 - address));
  if (!read.ok) return error(read.error);
  const { bytes, unreadable, reason } = read.value;
  const lines: string[] = [];
  for (let row = 0; row < bytes.length; row += 16) {
    const chunk = bytes.subarray(row, row + 16);
    const hexText = [...chunk].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...chunk].map((b) => (b >= 0x20 && b < 0x7F ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${physical ? 'phys:' : ''}${hex(address + row)}  ${hexText.padEnd(47)}  ${ascii}`);
  }
  if (unreadable > 0) lines.push(`(${unreadable} more byte${unreadable === 1 ? '' : 's'} unreadable: ${reason})`);
  return ok(lines);
}

function trace(args: string[], target: ConsoleTarget): ConsoleResult {
  const n = args.length === 0 ? 20 : args.length === 1 ? parseNumber(args[0]) : undefined;
  if (n === undefined || n < 1 || n > MAX_TRACE_LINES) return error(`usage: trace last N (N from 1 to ${MAX_TRACE_LINES})`);
  const events = target.events;
  if (!events) return ok(['no VM event log is kept in this session']);
  if (events.total === 0) return ok(['no VM events yet']);
  const shown = events.since(Math.max(0, events.total - n), n);
  return ok([`last ${shown.length} of ${events.total} VM events:`,
    ...shown.map((e) => `  #${e.seq} @${e.instructions} ${e.kind} ${e.reason}: ${e.summary}`)]);
}

function stats(target: ConsoleTarget): ConsoleResult {
  const vm = target.vm;
  const lines = [`strategy ${vm.strategy.name}, ${vm.cpus.length} vCPU${vm.cpus.length > 1 ? 's' : ''}, ${vm.instructions} instructions retired`];
  // With the session's statistics: the same table `hvdbg run --stats` prints (modeled cost, sites).
  if (target.statistics) return ok([...lines, ...formatStatistics(target.statistics, vm.instructions)]);
  const exits = exitCountLines(vm.exitCounts);
  const total = exits.reduce((n, [, c]) => n + Number(c), 0);
  lines.push(`VM exits: ${total}`, ...exits.map(([name, count]) => `  ${name.padEnd(34)} ${count}`));
  if (target.events) {
    lines.push(`VM events logged: ${target.events.total}`);
    for (const k of target.events.countsByKind()) {
      lines.push(`  ${k.kind.padEnd(10)} ${k.total}  (${k.reasons.slice(0, 6).map((r) => `${r.reason} ${r.count}`).join(', ')}${k.reasons.length > 6 ? ', …' : ''})`);
    }
  }
  return ok(lines);
}
