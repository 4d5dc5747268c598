// A debug event in words (the first half of a stop description: "VM exit 30 (I/O instruction): OUT
// dx=0x3f8 al=0x48") and as the named fields breakpoint conditions and exceptionInfo use.
import { ExitReason, EXIT_REASON_KEYS, exitReasonName } from '../../hv/exit-reasons.js';
import type { FieldValue } from '../expression/value.js';
import type { DebugEvent } from './debug-event.js';
import { EXCEPTION_NAMES } from './event-spec.js';

const hex = (n: number | bigint, digits = 0): string => `0x${(typeof n === 'bigint' ? n : BigInt(n >>> 0)).toString(16).padStart(digits, '0')}`;

/** "#PF (page fault)" style name of an exception vector. */
export function exceptionName(vector: number): string {
  const long: Record<number, string> = {
    0: 'divide error', 1: 'debug', 2: 'NMI', 3: 'breakpoint', 4: 'overflow', 5: 'BOUND range exceeded', 6: 'invalid opcode',
    7: 'device not available', 8: 'double fault', 10: 'invalid TSS', 11: 'segment not present', 12: 'stack fault',
    13: 'general protection', 14: 'page fault', 16: 'x87 floating-point error', 17: 'alignment check', 18: 'machine check',
    19: 'SIMD floating-point',
  };
  const short = EXCEPTION_NAMES[vector];
  return short ? `#${short} (${long[vector] ?? `vector ${vector}`})` : `exception ${vector}`;
}

const accumulator = (size: number, value: number): string =>
  size === 1 ? `al=${hex(value & 0xFF, 2)}` : size === 2 ? `ax=${hex(value & 0xFFFF, 4)}` : `eax=${hex(value, 8)}`;

/** One line a person reads about what happened. */
export function describeEvent(e: DebugEvent): string {
  switch (e.kind) {
    case 'exit': {
      const head = `VM exit ${e.reason} (${exitReasonName(e.reason)})`;
      switch (e.reason) {
        case ExitReason.IoInstruction: {
          const io = e.io;
          const op = `${io.direction === 'out' ? 'OUT' : 'IN'}${io.string ? 'S' : ''}`;
          return `${head}: ${op} dx=${hex(io.port)} ${accumulator(io.size, io.value ?? 0)}`;
        }
        case ExitReason.Cpuid: return `${head}: leaf ${hex(e.cpuid.leaf)} subleaf ${hex(e.cpuid.subleaf)}`;
        case ExitReason.CrAccess: return `${head}: ${e.crAccess.accessType} CR${e.crAccess.cr} old=${hex(e.crAccess.oldValue, 8)}${e.crAccess.newValue !== undefined ? ` new=${hex(e.crAccess.newValue, 8)}` : ''}`;
        case ExitReason.Rdmsr: case ExitReason.Wrmsr: return `${head}: MSR ${hex(e.msr.index)}${e.msr.value !== undefined ? ` value=${hex(e.msr.value)}` : ''}`;
        case ExitReason.ExceptionOrNmi: return `${head}: ${exceptionName(e.exception.vector)}${e.exception.cr2 !== undefined ? ` CR2=${hex(e.exception.cr2, 8)}` : ''} — ${e.exception.detail}`;
        case ExitReason.ExternalInterrupt: return `${head}: vector ${hex(e.vector)}`;
        case ExitReason.Invlpg: return `${head}: ${hex(e.linear, 8)}`;
        case ExitReason.TripleFault: return `${head}: ${e.description}`;
        case ExitReason.EptViolation: return `${head}: ${e.ept.write ? 'write' : e.ept.execute ? 'execute' : 'read'} of guest-physical ${hex(e.ept.guestPhysical, 8)}`;
        default: return `${head} (${e.cause})`;
      }
    }
    case 'hypercall': return `hypercall ${e.number} (${e.name})(${e.args.map((a) => hex(a)).join(', ')}) = ${e.result}`;
    case 'callout': return `BT callout: ${e.mnemonic} (${e.sensitivity}: ${e.why})`;
    case 'trap': return `hypervisor trap: ${exceptionName(e.vector)}${e.errorCode !== undefined ? ` error code ${hex(e.errorCode)}` : ''} — ${e.detail} (${e.outcome})`;
    case 'interrupt': return `interrupt injected: vector ${hex(e.vector)} (${e.source})`;
    case 'audit': return `virtualization hole: ${e.mnemonic} — ${e.problem}`;
    case 'port-io': return `port I/O: ${e.direction === 'out' ? 'OUT' : 'IN'} dx=${hex(e.port)} ${accumulator(e.size, e.value)}`;
    case 'msr': return `${e.write ? 'WRMSR' : 'RDMSR'} ${hex(e.index)}${e.value !== undefined ? ` value=${hex(e.value)}` : ''}`;
    case 'cr-write': return `CR${e.cr} write: ${hex(e.old, 8)} → ${hex(e.new, 8)} (bits changed ${hex(e.old ^ e.new, 8)})`;
    case 'mode-switch': return `CPU mode switch: ${e.from} → ${e.to}`;
    case 'cpu-exception': return `${exceptionName(e.vector)}${e.errorCode !== undefined ? ` error code ${hex(e.errorCode)}` : ''}${e.vector === 14 ? ` CR2=${hex(e.cr2, 8)}` : ''}: ${e.detail}`;
    case 'cpu-interrupt': return `${e.source === 'external' ? 'external interrupt' : 'software interrupt INT'} ${hex(e.vector)}`;
  }
}

/** The event's fields by name, for conditions (`port == 0x3f8`, `args.cmd == 2`, `new & 0x80000000`). */
export function eventFields(e: DebugEvent): Record<string, FieldValue> {
  const site: Record<string, FieldValue> = { kind: e.kind, vcpu: e.vcpu, cs: e.cs, eip: e.eip, cpl: e.cpl, mode: e.mode };
  switch (e.kind) {
    case 'exit': {
      const fields: Record<string, FieldValue> = { ...site, reason: e.reason, reasonName: EXIT_REASON_KEYS[e.reason] ?? String(e.reason), cause: e.cause };
      const qualification = 'io' in e ? e.io : 'cpuid' in e ? e.cpuid : 'crAccess' in e ? e.crAccess : 'msr' in e ? e.msr
        : 'exception' in e ? e.exception : 'ept' in e ? e.ept : undefined;
      if (qualification) Object.assign(fields, qualification);
      if ('vector' in e) fields.vector = e.vector;
      if ('linear' in e) fields.linear = e.linear;
      return fields;
    }
    case 'hypercall': {
      const args: Record<string, FieldValue> = {};
      e.args.forEach((a, k) => { args[k] = a; });
      Object.assign(args, e.decoded ?? {});
      return { ...site, number: e.number, name: e.name, args, result: e.result, via: e.via };
    }
    case 'callout': return { ...site, mnemonic: e.mnemonic, sensitivity: e.sensitivity };
    case 'trap': return { ...site, vector: e.vector, errorCode: e.errorCode, outcome: e.outcome };
    case 'interrupt': return { ...site, vector: e.vector, source: e.source };
    case 'audit': return { ...site, mnemonic: e.mnemonic, problem: e.problem };
    case 'port-io': return { ...site, port: e.port, size: e.size, direction: e.direction, value: e.value, write: e.direction === 'out' };
    case 'msr': return { ...site, index: e.index, write: e.write, value: e.value };
    case 'cr-write': return { ...site, cr: e.cr, old: e.old, new: e.new, changed: (e.old ^ e.new) >>> 0 };
    case 'mode-switch': return { ...site, from: e.from, to: e.to };
    case 'cpu-exception': return { ...site, vector: e.vector, errorCode: e.errorCode, cr2: e.cr2, detail: e.detail };
    case 'cpu-interrupt': return { ...site, vector: e.vector, source: e.source };
  }
}
