// The hw strategy's exit handler as a pure function: given the guest state that matters and one VM
// exit, it returns what the hypervisor does next (KVM's choices). The strategy applies the outcome;
// tests call this directly with synthetic exits.
import { ExitReason, exitReasonName } from '../exit-reasons.js';
import type { VmExit } from '../vm-exit.js';

/** KVM's hypercall error numbers (include/uapi/linux/kvm_para.h). */
export const KVM_ENOSYS = 1000;
export const KVM_EPERM = 1;
/** KVM_HC_VAPIC_POLL_IRQ: the one KVM hypercall with no arguments and no effect here; it returns 0. */
export const KVM_HC_VAPIC_POLL_IRQ = 1;

/** The guest state the handler reads (never writes). */
export interface ExitHandlerState {
  interruptsEnabled: boolean;   // RFLAGS.IF when the exit happened
  cpl: number;                  // guest CPL
  eax: number;                  // guest EAX (the VMCALL hypercall number)
}

/** What the hypervisor does after an exit. */
export type ExitOutcome =
  | { action: 'resume'; emulated: string }                        // emulated the operation; the guest continues
  | { action: 'reflect'; vector: number; errorCode?: number }    // delivers the exception through the guest's IDT
  | { action: 'inject'; vector: number }                          // injects the external interrupt at VM entry
  | { action: 'complete-hypercall'; eax: number }                 // VMCALL: result in EAX, guest continues after it
  | { action: 'pass-debug-registers' }                            // stops MOV-DR exiting until the next exit (lazy DRs)
  | { action: 'block' }                                           // HLT with IF = 1: the vCPU waits for an interrupt
  | { action: 'stop'; why: string }                               // nothing can wake the vCPU again
  | { action: 'shutdown'; description: string };                  // triple fault: the VM is dead

const hex = (n: number) => '0x' + (n >>> 0).toString(16);

/** Decides what the hypervisor does about exit in guest state state. */
export function handleExit(state: ExitHandlerState, exit: VmExit): ExitOutcome {
  switch (exit.reason) {
    case ExitReason.TripleFault: return { action: 'shutdown', description: exit.description };
    case ExitReason.Hlt:
      return state.interruptsEnabled ? { action: 'block' } : { action: 'stop', why: 'HLT with interrupts disabled: nothing can wake the vCPU' };
    case ExitReason.ExceptionOrNmi:
      return { action: 'reflect', vector: exit.exception.vector, ...(exit.exception.errorCode === undefined ? {} : { errorCode: exit.exception.errorCode }) };
    case ExitReason.ExternalInterrupt: return { action: 'inject', vector: exit.vector };
    case ExitReason.Vmcall: {
      if (state.cpl !== 0) return { action: 'complete-hypercall', eax: -KVM_EPERM };
      return { action: 'complete-hypercall', eax: (state.eax >>> 0) === KVM_HC_VAPIC_POLL_IRQ ? 0 : -KVM_ENOSYS };
    }
    case ExitReason.DrAccess: return { action: 'pass-debug-registers' };
    case ExitReason.IoInstruction: {
      const io = exit.io;
      return { action: 'resume', emulated: `${io.direction === 'in' ? 'IN' : 'OUT'}${io.string ? 'S' : ''} ${io.size} byte(s) ${io.direction === 'in' ? 'from' : 'to'} port ${hex(io.port)}` };
    }
    case ExitReason.EptViolation: {
      const e = exit.ept;
      if (e.write && e.readable && !e.writable) return { action: 'resume', emulated: `write to read-only memory at ${hex(e.guestPhysical)} dropped` };
      return { action: 'resume', emulated: `MMIO ${e.write ? 'write' : 'read'} of ${e.size} byte(s) at ${hex(e.guestPhysical)}` };
    }
    case ExitReason.CrAccess: {
      const c = exit.crAccess;
      return { action: 'resume', emulated: c.accessType === 'mov-from-cr' ? `read CR${c.cr}` : `CR${c.cr} ← ${hex(c.newValue ?? 0)}` };
    }
    case ExitReason.Rdmsr: case ExitReason.Wrmsr:
      return { action: 'resume', emulated: `${exit.reason === ExitReason.Rdmsr ? 'RDMSR' : 'WRMSR'} ${hex(exit.msr.index)}` };
    case ExitReason.Cpuid: return { action: 'resume', emulated: `CPUID leaf ${hex(exit.cpuid.leaf)}` };
    case ExitReason.Invlpg: return { action: 'resume', emulated: `INVLPG ${hex(exit.linear)}` };
    case ExitReason.TaskSwitch:
      return { action: 'resume', emulated: `task switch to TSS ${hex(exit.taskSwitch.selector)} (${exit.taskSwitch.source})` };
    case ExitReason.InterruptWindow: return { action: 'resume', emulated: 'interrupt window open: the waiting interrupt is injected at entry' };
    case ExitReason.Rdpmc: return { action: 'resume', emulated: `RDPMC counter ${exit.counter}` };
    case ExitReason.Init: return { action: 'resume', emulated: 'INIT: vCPU reset, waiting for SIPI' };
    case ExitReason.Sipi: return { action: 'resume', emulated: `SIPI: vCPU starts at ${hex(exit.vector << 8)}:0000` };
    default: return { action: 'resume', emulated: exitReasonName(exit.reason) };
  }
}
