// Hypercalls about traps and the guest's kernel stack: set_trap_table (0), stack_switch (3),
// set_callbacks (4), fpu_taskswitch (5) and iret (23), with Xen's 32-bit semantics.
import { loadCodeSegment, loadSegment, readDescriptor } from '../../cpu/descriptors.js';
import { CpuFault } from '../../cpu/fault.js';
import { CR0_TS, CS, DS, ES, FS, GS, SS, EAX, ESP, FLAG_IF, FLAG_IOPL, FLAG_VM, FLAG_NT, FLAG_RF, FLAG_TF } from '../../cpu/registers.js';
import { Errno, UPCALL_VECTOR } from './abi.js';
import { guarded, type HypercallCall } from './hypercall-call.js';
import { PvDomain } from './pv-domain.js';

/** trap_info flag: the hypervisor masks events (sets upcall_mask) when it bounces this vector. */
export const TI_CLEAR_EVENT_MASK = 4;

/** A guest selector at ring 0 is moved to ring 1 (Xen's fixup_guest_code_selector). */
export function ringOneSelector(sel: number): number { return (sel & 3) === 0 ? sel | 1 : sel; }

/** set_trap_table(table): trap_info {u8 vector, u8 flags, u16 cs, u32 address} until address = 0; NULL clears all. */
export function setTrapTable(call: HypercallCall): number {
  const d = call.domain, table = call.args[0];
  if (table === 0) {
    for (const v of d.traps.keys()) d.clearGate(v);
    d.traps.clear();
    call.decoded.cleared = 'all';
    return 0;
  }
  return guarded(call, () => {
    let n = 0;
    for (; n < 256; n++) {
      const at = table + n * 8;
      const address = d.guest.read32(at + 4);
      if (address === 0) break;
      const vector = d.guest.read8(at), flags = d.guest.read8(at + 1);
      const cs = ringOneSelector(d.guest.read32(at) >>> 16);
      if (PvDomain.reservedVector(vector)) { call.decoded.refused = `vector 0x${vector.toString(16)} is the hypervisor's`; return -Errno.EINVAL; }
      d.traps.set(vector, { vector, flags, cs, address });
      // DPL from the flags' low two bits: who may raise it with INT n (3 = user space too).
      d.writeGate(vector, cs, address, flags & 3);
    }
    call.decoded.entries = n;
    return n === 256 ? -Errno.EINVAL : 0;
  });
}

/** stack_switch(ss, esp): the ring-1 stack a trap from ring 3 lands on (TSS ss1:esp1). */
export function stackSwitch(call: HypercallCall): number {
  const d = call.domain, ss = ringOneSelector(call.args[0] & 0xFFFF), esp = call.args[1];
  d.memory.write32(d.region.tss + 0x0C, esp);
  d.memory.write32(d.region.tss + 0x10, ss);
  call.decoded.ss = ss; call.decoded.esp = esp;
  return 0;
}

/** set_callbacks(event_cs, event_eip, failsafe_cs, failsafe_eip): where event upcalls enter the guest. */
export function setCallbacks(call: HypercallCall): number {
  const d = call.domain;
  const [eventCs, eventAddress, failsafeCs, failsafeAddress] = call.args;
  d.eventCallback = { cs: ringOneSelector(eventCs & 0xFFFF), address: eventAddress };
  d.failsafeCallback = { cs: ringOneSelector(failsafeCs & 0xFFFF), address: failsafeAddress };
  d.writeGate(UPCALL_VECTOR, d.eventCallback.cs, eventAddress, 0);
  call.decoded.event = `${d.eventCallback.cs.toString(16)}:${eventAddress.toString(16)}`;
  return 0;
}

/** fpu_taskswitch(set): sets (1) or clears (0) CR0.TS, the ring-1 kernel's lazy-FPU switch. */
export function fpuTaskswitch(call: HypercallCall): number {
  const cpu = call.domain.cpu;
  cpu.cr0 = call.args[0] ? cpu.cr0 | CR0_TS : cpu.cr0 & ~CR0_TS;
  call.decoded.ts = call.args[0] ? 1 : 0;
  return 0;
}

/**
 * iret(): returns from an event or trap handler. The guest stack holds EAX, EIP, CS, EFLAGS (and ESP,
 * SS when returning to ring 3); EFLAGS.IF becomes the event mask. A bad frame crashes the domain,
 * as under Xen. Returns the restored EAX.
 */
export function iret(call: HypercallCall): number {
  const d = call.domain, cpu = d.cpu;
  if (call.nested) return -Errno.EINVAL;
  let sp = cpu.reg32[ESP] >>> 0;
  const frame: number[] = [];
  try {
    for (let k = 0; k < 4; k++) frame.push(d.guest.read32(sp + k * 4));
  } catch (e) {
    d.shutdown(`iret: unreadable frame at 0x${sp.toString(16)}`, true);
    return cpu.reg32[EAX];
  }
  const [eax, eip, cs, eflags] = frame;
  sp += 16;
  const ring = cs & 3;
  if (ring === 0 || (eflags & FLAG_VM)) { d.shutdown(`iret to ring ${ring}${eflags & FLAG_VM ? ' (V86)' : ''} refused`, true); return eax; }
  call.decoded.eip = eip; call.decoded.cs = cs; call.decoded.ring = ring;
  try {
    let userEsp = 0, userSs = 0;
    if (ring !== 1) { userEsp = d.guest.read32(sp); userSs = d.guest.read32(sp + 4) & 0xFFFF; sp += 8; }
    const desc = readDescriptor(cpu, cs);
    if (!desc.s || !(desc.type & 8) || desc.dpl !== ring || !desc.present) throw new Error(`selector 0x${cs.toString(16)} is not a ring-${ring} code segment`);
    loadCodeSegment(cpu, cs, desc, ring);
    if (ring !== 1) {
      loadSegment(cpu, SS, userSs);
      cpu.reg32[ESP] = userEsp;
      // Data segments the new ring may not use become null, as IRET does.
      for (const seg of [DS, ES, FS, GS]) if ((cpu.segRights[seg] >>> 5 & 3) < ring && (cpu.segSel[seg] & ~3) !== 0) loadSegment(cpu, seg, 0);
    } else {
      cpu.reg32[ESP] = sp;
    }
  } catch (e) {
    if (!(e instanceof CpuFault) && !(e instanceof Error)) throw e;
    d.shutdown(`iret: ${e instanceof CpuFault ? e.detail ?? 'fault' : e.message}`, true);
    return eax;
  }
  // The guest never gets IOPL, NT, VM; IF stays on in hardware and becomes the event mask.
  const kept = eflags & ~(FLAG_IOPL | FLAG_NT | FLAG_VM | FLAG_RF | FLAG_TF);
  cpu.setEflags(kept | FLAG_IF | (eflags & FLAG_TF));
  cpu.eip = eip;
  d.shared.upcallMask = (eflags & FLAG_IF) === 0;
  return eax;
}
