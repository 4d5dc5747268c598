// What each strategy object exposes, as sections for the Virtualization scope and `info vmcs`: the hw
// strategy's VMCS controls (control words with their names, exception bitmap, intercepted ports and
// MSRs, CR masks and shadows, EPT), the pv domain's trap table, event channels and hypercall counts,
// and whatever a strategy describes itself through debugSections() (bt's translation cache).
import type { Vmcs } from '../../hv/hw/vmcs.js';
import { controlNames, ProcControl } from '../../hv/hw/vmx-controls.js';
import type { PvDomain } from '../../hv/pv/pv-domain.js';
import { NR_EVENT_CHANNELS } from '../../hv/pv/shared-info.js';
import { hypercallName } from '../../hv/pv/hypercall-table.js';
import { VECTOR_NAMES } from '../../cpu/fault.js';
import { hex } from './format.js';

/** One group of strategy state shown by the debugger. */
export interface StrategySection {
  /** "VMCS controls", "trap table", "event channels", "translation cache". */
  title: string;
  /** A one-line summary shown next to the title. */
  summary: string;
  /** Named values, already formatted. */
  fields: ReadonlyArray<readonly [name: string, value: string]>;
}

/** A strategy that describes its own state (bt does). */
export interface DescribesState { debugSections(): StrategySection[] }

type Field = [string, string];

/** Xen's virtual IRQ names (public/xen.h VIRQ_*) for the ones the pv strategy raises. */
const VIRQ_NAMES: Readonly<Record<number, string>> = { 0: 'timer', 1: 'debug', 2: 'console' };

/** Consecutive numbers as "0x20-0x21, 0x40-0x43, 0x60". */
function ranges(values: number[], digits: number): string {
  const out: string[] = [];
  for (let k = 0; k < values.length;) {
    let end = k;
    while (end + 1 < values.length && values[end + 1] === values[end] + 1) end++;
    out.push(values[k] === values[end] ? hex(values[k], digits) : `${hex(values[k], digits)}-${hex(values[end], digits)}`);
    k = end + 1;
  }
  return out.join(', ');
}

function bitmapPorts(bitmap: Uint8Array, base: number): number[] {
  const ports: number[] = [];
  for (let byte = 0; byte < bitmap.length; byte++) {
    if (!bitmap[byte]) continue;
    for (let bit = 0; bit < 8; bit++) if (bitmap[byte] & (1 << bit)) ports.push(base + byte * 8 + bit);
  }
  return ports;
}

/** The hw strategy's VMCS as a section. */
export function vmcsSection(vmcs: Vmcs): StrategySection {
  const words = (field: Parameters<typeof controlNames>[0], value: number) => {
    const names = controlNames(field, value);
    return `${hex(value)}${names.length ? ` (${names.join(', ')})` : ''}`;
  };
  const exceptions: string[] = [];
  for (let v = 0; v < 32; v++) if ((vmcs.exceptionBitmap >>> v) & 1) exceptions.push(VECTOR_NAMES[v]?.split(' ')[0] ?? String(v));
  const ports = [...bitmapPorts(vmcs.ioBitmapA, 0), ...bitmapPorts(vmcs.ioBitmapB, 0x8000)];
  const msrs = (offset: number, high: number) => bitmapPorts(vmcs.msrBitmap.subarray(offset, offset + 1024), high);
  const msrReads = [...msrs(0, 0), ...msrs(1024, 0xC0000000)], msrWrites = [...msrs(2048, 0), ...msrs(3072, 0xC0000000)];
  let ept = 'off';
  if (vmcs.eptEnabled) {
    try {
      const mappings = vmcs.ept().mappings;
      ept = `on, ${mappings.length} mapped range${mappings.length === 1 ? '' : 's'}: ${mappings.slice(0, 6).map((m) => `${hex(m.guestBase)}+${hex(m.size)} ${m.what}`).join(', ')}${mappings.length > 6 ? ', …' : ''}`;
    } catch (error) {
      ept = `on (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  const fields: Field[] = [
    ['pin-based controls', words('pin-based', vmcs.pinBased)],
    ['primary processor-based controls', words('primary processor-based', vmcs.procBased)],
    ['secondary processor-based controls', words('secondary processor-based', vmcs.procBased2)],
    ['exception bitmap', `${hex(vmcs.exceptionBitmap)}${exceptions.length ? ` (${exceptions.join(' ')})` : ''}`],
    ['ports that exit (I/O bitmaps)', !(vmcs.procBased & ProcControl.UseIoBitmaps)
      ? `bitmaps not used: ${vmcs.procBased & ProcControl.UnconditionalIoExiting ? 'every I/O instruction exits' : 'no I/O instruction exits'}`
      : ports.length ? `${ports.length}: ${ranges(ports, 4)}` : 'none'],
    ['MSR reads that exit', !(vmcs.procBased & ProcControl.UseMsrBitmaps) ? 'all (MSR bitmaps not used)' : msrReads.length ? ranges(msrReads, 8) : 'none'],
    ['MSR writes that exit', !(vmcs.procBased & ProcControl.UseMsrBitmaps) ? 'all (MSR bitmaps not used)' : msrWrites.length ? ranges(msrWrites, 8) : 'none'],
    ['CR0 guest/host mask', hex(vmcs.cr0GuestHostMask)],
    ['CR0 read shadow', hex(vmcs.cr0ReadShadow)],
    ['CR4 guest/host mask', hex(vmcs.cr4GuestHostMask)],
    ['CR4 read shadow', hex(vmcs.cr4ReadShadow)],
    ['EPT', ept],
  ];
  return {
    title: 'VMCS controls',
    summary: `${controlNames('primary processor-based', vmcs.procBased).length} primary controls set, exception bitmap ${hex(vmcs.exceptionBitmap)}, EPT ${vmcs.eptEnabled ? 'on' : 'off'}`,
    fields,
  };
}

/** The pv domain's trap table, event channels and callbacks as sections. */
export function pvSections(domain: PvDomain, hypercallCounts?: ReadonlyMap<number, number>): StrategySection[] {
  const traps = [...domain.traps.values()].sort((a, b) => a.vector - b.vector);
  const trapTable: StrategySection = {
    title: 'trap table',
    summary: `${traps.length} handler${traps.length === 1 ? '' : 's'} registered by set_trap_table`,
    fields: traps.map((t): Field => [
      `${t.vector}${VECTOR_NAMES[t.vector] ? ' ' + VECTOR_NAMES[t.vector].split(' ')[0] : ''}`,
      `${hex(t.cs, 4)}:${hex(t.address)} (DPL ${t.flags & 3}${t.flags & 4 ? ', events masked on entry' : ''})`,
    ]),
  };
  const channels: Field[] = [];
  for (let port = 1; port < NR_EVENT_CHANNELS; port++) {
    const binding = domain.events.binding(port);
    if (!binding) continue;
    const what = binding.kind === 'virq' ? `VIRQ ${binding.virq}${VIRQ_NAMES[binding.virq] ? ` (${VIRQ_NAMES[binding.virq]})` : ''}` : 'IPI';
    const state = [domain.shared.isPending(port) ? 'pending' : '', domain.shared.isMasked(port) ? 'masked' : ''].filter(Boolean).join(', ');
    channels.push([`port ${port}`, `${what} on vCPU ${binding.vcpu}${state ? ` (${state})` : ''}`]);
  }
  const callback = (c?: { cs: number; address: number }) => (c ? `${hex(c.cs, 4)}:${hex(c.address)}` : 'not registered');
  const eventChannels: StrategySection = {
    title: 'event channels',
    summary: `${channels.length} bound port${channels.length === 1 ? '' : 's'}, upcall ${callback(domain.eventCallback)}`,
    fields: [['event callback', callback(domain.eventCallback)], ['failsafe callback', callback(domain.failsafeCallback)], ...channels],
  };
  const sections = [trapTable, eventChannels];
  if (hypercallCounts) {
    const counts = [...hypercallCounts].sort((a, b) => b[1] - a[1]);
    sections.push({
      title: 'hypercalls',
      summary: `${counts.reduce((n, [, c]) => n + c, 0)} made`,
      fields: counts.map(([number, count]): Field => [`${number} ${hypercallName(number)}`, String(count)]),
    });
  }
  return sections;
}

/** Every section the debugger can show for a vCPU's strategy object. */
export function strategySections(strategy: unknown): StrategySection[] {
  const s = strategy as { name?: string; vmcs?: Vmcs; domain?: PvDomain; hypercallCounts?: Map<number, number> } & Partial<DescribesState>;
  const sections: StrategySection[] = [];
  if (s.name === 'hw' && s.vmcs) sections.push(vmcsSection(s.vmcs));
  if (s.name === 'pv') {
    let domain: PvDomain | undefined;
    try { domain = s.domain; } catch { domain = undefined; } // not attached yet
    if (domain?.started) sections.push(...pvSections(domain, s.hypercallCounts));
  }
  if (typeof s.debugSections === 'function') sections.push(...s.debugSections());
  return sections;
}
