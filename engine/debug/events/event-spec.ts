// The small syntax of event breakpoints (as function-breakpoint names) and the exception filters
// that arm a whole kind: `exit`, `exit:io`, `exit:30`, `hypercall:sched_op`, `hypercall:29`,
// `callout:popf`, `trap:13`, `#PF`, `exception:14`, `int:0x80`, `io:0x60-0x64`, `io:0x3f8:out`,
// `msr:0x1b`, `msr:0x10:write`, `cr3`, `cr0:0x80000000` (those bits changed), `mode:protected`.
import { EXIT_REASON_KEYS } from '../../hv/exit-reasons.js';
import type { DebugEvent } from './debug-event.js';

/** Exception mnemonics by vector. */
export const EXCEPTION_NAMES = ['DE', 'DB', 'NMI', 'BP', 'OF', 'BR', 'UD', 'NM', 'DF', 'CSO', 'TS', 'NP', 'SS', 'GP', 'PF', '', 'MF', 'AC', 'MC', 'XM'];

export type EventSpec =
  | { kind: 'exit'; reason?: number }
  | { kind: 'hypercall'; number?: number; name?: string }
  | { kind: 'callout'; mnemonic?: string }
  | { kind: 'trap'; vector?: number }
  | { kind: 'audit'; mnemonic?: string }
  | { kind: 'exception'; vector?: number }
  | { kind: 'interrupt'; vector?: number }
  | { kind: 'io'; first: number; last: number; direction?: 'in' | 'out' }
  | { kind: 'msr'; index?: number; access?: 'read' | 'write' }
  | { kind: 'cr'; cr?: number; bits?: number }
  | { kind: 'mode'; to?: 'real' | 'protected' | 'paging' | 'v86' };

/** The exception-breakpoint filters: one per kind, matching any event of it. */
export const EVENT_FILTERS: readonly { id: EventSpec['kind']; label: string; description: string }[] = [
  { id: 'exit', label: 'VM exits', description: 'Any VM exit (hw); condition over reason and the qualification, e.g. reason == 30 && port == 0x3f8' },
  { id: 'hypercall', label: 'Hypercalls', description: 'Any hypercall (pv); condition over number, name, args, e.g. name == "sched_op"' },
  { id: 'callout', label: 'BT callouts', description: 'Any binary-translation callout (bt); condition over mnemonic' },
  { id: 'trap', label: 'Hypervisor traps', description: 'Any trap the hypervisor handled (pv); condition over vector' },
  { id: 'exception', label: 'CPU exceptions', description: 'Any CPU exception; condition over vector, errorCode, cr2' },
  { id: 'interrupt', label: 'Interrupts', description: 'External and software interrupts; condition over vector, source' },
  { id: 'io', label: 'Port I/O', description: 'Any IN/OUT; condition over port, value, size, direction' },
  { id: 'msr', label: 'MSR accesses', description: 'Any RDMSR/WRMSR; condition over index, value, write' },
  { id: 'cr', label: 'Control-register writes', description: 'Writes of CR0/CR2/CR3/CR4; condition over cr, old, new, changed' },
  { id: 'mode', label: 'CPU mode switches', description: 'Real ↔ protected mode, paging on/off, entering/leaving virtual-8086 mode; condition over from, to' },
];

/** A bad event specification: the message says what was expected. */
export class EventSpecError extends Error {}

function number(text: string, what: string): number {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new EventSpecError(`${what} "${text}" is not a number (decimal or 0x hex)`);
  return Number(t);
}

/** True when text looks like an event specification rather than a function name. */
export function isEventSpec(text: string): boolean {
  return /^(#|(exit|hypercall|callout|trap|audit|exception|int|interrupt|io|msr|mode)(:|$)|cr[0-4]?(:|$))/i.test(text.trim());
}

/** Parses an event specification; throws EventSpecError naming the problem. */
export function parseEventSpec(text: string): EventSpec {
  const t = text.trim();
  if (t.startsWith('#')) {
    const name = t.slice(1).toUpperCase();
    const vector = /^\d+$/.test(name) ? Number(name) : EXCEPTION_NAMES.indexOf(name);
    if (vector < 0 || vector > 31 || name === '') throw new EventSpecError(`"${t}": unknown exception (use #DE #DB #BP #UD #NM #DF #TS #NP #SS #GP #PF #MF #AC or #n)`);
    return { kind: 'exception', vector };
  }
  const [head, ...rest] = t.split(':');
  const arg = rest.join(':');
  const kind = head.toLowerCase();
  const cr = /^cr([0-4])$/.exec(kind);
  if (cr) return { kind: 'cr', cr: Number(cr[1]), bits: arg ? number(arg, 'bit mask') : undefined };
  switch (kind) {
    case 'cr': return { kind: 'cr' };
    case 'exit': {
      if (!arg) return { kind: 'exit' };
      if (/^\d+$/.test(arg)) return { kind: 'exit', reason: Number(arg) };
      const entry = Object.entries(EXIT_REASON_KEYS).find(([, key]) => key === arg.toLowerCase());
      if (!entry) throw new EventSpecError(`"${t}": unknown exit reason "${arg}" (one of ${Object.values(EXIT_REASON_KEYS).join(', ')}, or a number)`);
      return { kind: 'exit', reason: Number(entry[0]) };
    }
    case 'hypercall':
      if (!arg) return { kind: 'hypercall' };
      return /^(0x[0-9a-f]+|\d+)$/i.test(arg) ? { kind: 'hypercall', number: Number(arg) } : { kind: 'hypercall', name: arg };
    case 'callout': return arg ? { kind: 'callout', mnemonic: arg.toLowerCase() } : { kind: 'callout' };
    case 'audit': return arg ? { kind: 'audit', mnemonic: arg.toLowerCase() } : { kind: 'audit' };
    case 'trap': return arg ? { kind: 'trap', vector: number(arg, 'vector') } : { kind: 'trap' };
    case 'exception': return arg ? { kind: 'exception', vector: number(arg, 'vector') } : { kind: 'exception' };
    case 'int': case 'interrupt': return arg ? { kind: 'interrupt', vector: number(arg, 'vector') } : { kind: 'interrupt' };
    case 'io': {
      if (!arg) return { kind: 'io', first: 0, last: 0xFFFF };
      const [range, direction, extra] = arg.split(':');
      if (extra !== undefined || (direction !== undefined && direction !== 'in' && direction !== 'out')) {
        throw new EventSpecError(`"${t}": expected io:PORT, io:FIRST-LAST, optionally followed by :in or :out`);
      }
      const [a, b] = range.split('-');
      const first = number(a, 'port'), last = b === undefined ? first : number(b, 'port');
      if (first > 0xFFFF || last > 0xFFFF || last < first) throw new EventSpecError(`"${t}": ports run from 0 to 0xffff, first before last`);
      return { kind: 'io', first, last, direction: direction as 'in' | 'out' | undefined };
    }
    case 'msr': {
      if (!arg) return { kind: 'msr' };
      const [index, access] = arg.split(':');
      if (access !== undefined && access !== 'read' && access !== 'write') throw new EventSpecError(`"${t}": expected msr:INDEX, optionally followed by :read or :write`);
      return { kind: 'msr', index: number(index, 'MSR index'), access: access as 'read' | 'write' | undefined };
    }
    case 'mode': {
      if (!arg) return { kind: 'mode' };
      if (!['real', 'protected', 'paging', 'v86'].includes(arg)) throw new EventSpecError(`"${t}": mode is one of real, protected, paging, v86`);
      return { kind: 'mode', to: arg as 'real' };
    }
  }
  throw new EventSpecError(`"${t}" is not an event breakpoint`);
}

/** True when event is one spec describes. */
export function matches(spec: EventSpec, e: DebugEvent): boolean {
  switch (spec.kind) {
    case 'exit': return e.kind === 'exit' && (spec.reason === undefined || e.reason === spec.reason);
    case 'hypercall': return e.kind === 'hypercall' && (spec.number === undefined || e.number === spec.number) && (spec.name === undefined || e.name === spec.name);
    case 'callout': return e.kind === 'callout' && (spec.mnemonic === undefined || e.mnemonic === spec.mnemonic);
    case 'audit': return e.kind === 'audit' && (spec.mnemonic === undefined || e.mnemonic === spec.mnemonic);
    case 'trap': return e.kind === 'trap' && (spec.vector === undefined || e.vector === spec.vector);
    case 'exception': return e.kind === 'cpu-exception' && (spec.vector === undefined || e.vector === spec.vector);
    case 'interrupt': return (e.kind === 'cpu-interrupt' || e.kind === 'interrupt') && (spec.vector === undefined || e.vector === spec.vector);
    case 'io': return e.kind === 'port-io' && e.port >= spec.first && e.port <= spec.last && (spec.direction === undefined || e.direction === spec.direction);
    case 'msr': return e.kind === 'msr' && (spec.index === undefined || e.index === spec.index) && (spec.access === undefined || e.write === (spec.access === 'write'));
    case 'cr': return e.kind === 'cr-write' && (spec.cr === undefined || e.cr === spec.cr) && (spec.bits === undefined || ((e.old ^ e.new) & spec.bits) !== 0);
    case 'mode': return e.kind === 'mode-switch' && (spec.to === undefined || e.to === spec.to);
  }
}

/** Which event sources a spec needs: the VM's event stream, or the CPU probe. */
export function needsProbe(spec: EventSpec): boolean {
  return spec.kind === 'exception' || spec.kind === 'interrupt' || spec.kind === 'io' || spec.kind === 'msr' || spec.kind === 'cr' || spec.kind === 'mode';
}
