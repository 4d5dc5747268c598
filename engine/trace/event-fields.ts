// Flattens a VmEvent into what people and files read: its kind, a reason key, a one-line summary and
// named, already-formatted fields. The trace writer, the VM Events view and the statistics share it.
import { EXIT_REASON_KEYS, exitReasonName, ExitReason } from '../hv/exit-reasons.js';
import type { VmEvent, VmExit } from '../hv/vm-event.js';

/** One decoded field: a short name and its text (numbers in hex where hardware speaks hex). */
export type EventField = readonly [name: string, value: string];

/** A VmEvent as text. */
export interface DescribedEvent {
  kind: VmEvent['kind'];
  /** Groups events of a kind: the exit reason key ('io', 'cpuid'), hypercall name, trap vector, callout mnemonic. */
  reason: string;
  /** One line, e.g. "I/O instruction: out 0x3f8 size 1 value 0x48". */
  summary: string;
  /** The site first (vcpu, cs, eip, cpl, mode, bytes), then the qualification's fields. */
  fields: EventField[];
}

export function hex(value: number, digits = 0): string {
  return '0x' + (value >>> 0).toString(16).padStart(digits, '0');
}

/** The reason key an event is grouped under in views, statistics and breakpoints. */
export function eventReason(e: VmEvent): string {
  switch (e.kind) {
    case 'exit': return EXIT_REASON_KEYS[e.reason] ?? `reason${e.reason}`;
    case 'hypercall': return e.name;
    case 'trap': return `vector${e.vector}`;
    case 'callout': return e.mnemonic;
    case 'interrupt': return e.source;
    case 'audit': return e.mnemonic;
  }
}

export function describeEvent(e: VmEvent): DescribedEvent {
  const site: EventField[] = [
    ['vcpu', String(e.vcpu)], ['cs', hex(e.cs, 4)], ['eip', hex(e.eip, 8)], ['cpl', String(e.cpl)], ['mode', e.mode],
  ];
  if (e.instructionBytes.length > 0) site.push(['bytes', e.instructionBytes.map((b) => b.toString(16).padStart(2, '0')).join('')]);
  const { summary, fields } = qualification(e);
  return { kind: e.kind, reason: eventReason(e), summary, fields: [...site, ...fields] };
}

function qualification(e: VmEvent): { summary: string; fields: EventField[] } {
  switch (e.kind) {
    case 'exit': return exitQualification(e);
    case 'hypercall': {
      const fields: EventField[] = [['number', String(e.number)], ['via', e.via], ['result', String(e.result | 0)]];
      e.args.forEach((a, k) => fields.push([`arg${k}`, hex(a)]));
      for (const [name, value] of Object.entries(e.decoded ?? {})) fields.push([name, typeof value === 'number' ? String(value) : value]);
      return { summary: `hypercall ${e.number} (${e.name}) → ${e.result | 0}`, fields };
    }
    case 'trap': {
      const fields: EventField[] = [['vector', String(e.vector)], ['outcome', e.outcome], ['detail', e.detail]];
      if (e.errorCode !== undefined) fields.push(['error', hex(e.errorCode)]);
      return { summary: `trap vector ${e.vector}, ${e.outcome}: ${e.detail}`, fields };
    }
    case 'callout':
      return { summary: `callout ${e.mnemonic} (${e.sensitivity}): ${e.why}`, fields: [['mnemonic', e.mnemonic], ['sensitivity', e.sensitivity], ['why', e.why]] };
    case 'interrupt':
      return { summary: `interrupt vector ${e.vector} (${e.source})`, fields: [['vector', String(e.vector)], ['source', e.source]] };
    case 'audit':
      return { summary: `audit ${e.mnemonic}: ${e.problem}`, fields: [['mnemonic', e.mnemonic], ['problem', e.problem]] };
  }
}

function exitQualification(e: VmExit): { summary: string; fields: EventField[] } {
  const name = exitReasonName(e.reason);
  const fields: EventField[] = [['reason', String(e.reason)], ['cause', e.cause]];
  let detail = '';
  if ('io' in e && e.reason === ExitReason.IoInstruction) {
    const io = e.io;
    fields.push(['dir', io.direction], ['port', hex(io.port, 4)], ['size', String(io.size)]);
    if (io.value !== undefined) fields.push(['value', hex(io.value)]);
    if (io.string) fields.push(['string', 'yes']);
    if (io.rep) fields.push(['rep', 'yes']);
    detail = `${io.direction} ${hex(io.port)} size ${io.size}${io.value !== undefined ? ` value ${hex(io.value)}` : ''}`;
  } else if ('cpuid' in e) {
    fields.push(['leaf', hex(e.cpuid.leaf)], ['subleaf', hex(e.cpuid.subleaf)]);
    detail = `leaf ${hex(e.cpuid.leaf)} subleaf ${hex(e.cpuid.subleaf)}`;
  } else if ('crAccess' in e) {
    const q = e.crAccess;
    fields.push(['cr', String(q.cr)], ['access', q.accessType], ['old', hex(q.oldValue)]);
    if (q.newValue !== undefined) fields.push(['new', hex(q.newValue)]);
    detail = `${q.accessType} CR${q.cr}${q.newValue !== undefined ? ` ${hex(q.oldValue)} → ${hex(q.newValue)}` : ''}`;
  } else if ('drAccess' in e) {
    fields.push(['dr', String(e.drAccess.dr)], ['dir', e.drAccess.direction]);
    detail = `${e.drAccess.direction} DR${e.drAccess.dr}`;
  } else if ('msr' in e) {
    fields.push(['msr', hex(e.msr.index)]);
    if (e.msr.value !== undefined) fields.push(['value', '0x' + e.msr.value.toString(16)]);
    detail = `MSR ${hex(e.msr.index)}`;
  } else if ('exception' in e) {
    const q = e.exception;
    fields.push(['vector', String(q.vector)], ['detail', q.detail]);
    if (q.errorCode !== undefined) fields.push(['error', hex(q.errorCode)]);
    if (q.cr2 !== undefined) fields.push(['cr2', hex(q.cr2, 8)]);
    detail = `vector ${q.vector}: ${q.detail}`;
  } else if ('ept' in e) {
    const q = e.ept;
    const access = (q.read ? 'r' : '') + (q.write ? 'w' : '') + (q.execute ? 'x' : '');
    fields.push(['gpa', hex(q.guestPhysical, 8)], ['access', access], ['size', String(q.size)]);
    detail = `${access} at guest-physical ${hex(q.guestPhysical, 8)}`;
  } else if ('linear' in e) {
    fields.push(['linear', hex(e.linear, 8)]);
    detail = `address ${hex(e.linear, 8)}`;
  } else if ('vector' in e) {
    fields.push(['vector', String(e.vector)]);
    detail = `vector ${e.vector}`;
  } else if ('description' in e) {
    fields.push(['detail', e.description]);
    detail = e.description;
  }
  return { summary: `VM exit ${e.reason} (${name})${detail ? ': ' + detail : ''}`, fields };
}
