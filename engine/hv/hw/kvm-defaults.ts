// The control block KVM sets up for a guest on an Intel host with EPT and unrestricted guest (Linux
// arch/x86/kvm/vmx/vmx.c, Intel SDM Vol. 3C ch. 25), so the hw strategy exits where KVM's guests exit.
// docs/hypervisor.md lists each choice and why KVM makes it.
import { Vmcs } from './vmcs.js';
import type { Ept } from './ept.js';
import { PinControl, ProcControl, Proc2Control } from './vmx-controls.js';

/** CR0.TS and CR0.WP are guest-owned with EPT (KVM_POSSIBLE_CR0_GUEST_BITS); the host owns the rest. */
export const KVM_CR0_GUEST_OWNED = (1 << 3) | (1 << 16);
/** CR4 bits guest-owned with EPT (KVM_POSSIBLE_CR4_GUEST_BITS): PVI, TSD, DE, PGE, PCE, OSFXSR, OSXMMEXCPT, LA57, FSGSBASE. */
export const KVM_CR4_GUEST_OWNED = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 12) | (1 << 16);
/** Exceptions KVM intercepts with EPT: #DB (1), #UD (6, to emulate VMCALL/VMMCALL), #AC (17, split locks), #MC (18). */
export const KVM_EXCEPTION_BITMAP = (1 << 1) | (1 << 6) | (1 << 17) | (1 << 18);

/** MSRs KVM lets the guest access without an exit: [index, read passes, write passes]. */
export const KVM_PASSTHROUGH_MSRS: ReadonlyArray<readonly [number, boolean, boolean]> = [
  [0x10, true, false],          // IA32_TIME_STAMP_COUNTER: reads pass (TSC offsetting), writes exit
  [0x174, true, true],          // IA32_SYSENTER_CS
  [0x175, true, true],          // IA32_SYSENTER_ESP
  [0x176, true, true],          // IA32_SYSENTER_EIP
  [0xC000_0100, true, true],    // IA32_FS_BASE
  [0xC000_0101, true, true],    // IA32_GS_BASE
  [0xC000_0102, true, true],    // IA32_KERNEL_GS_BASE
];

/** A control block with KVM's defaults; ept is the VM's EPT (built when first needed). */
export function kvmDefaultVmcs(ept: () => Ept): Vmcs {
  const vmcs = new Vmcs(ept);
  vmcs.pinBased = PinControl.ExternalInterruptExiting | PinControl.NmiExiting | PinControl.VirtualNmis;
  // With EPT, KVM clears CR3-load/store and INVLPG exiting; RDTSC runs with TSC offsetting; PAUSE
  // exits only through PAUSE-loop exiting; I/O exits unconditionally (no I/O bitmaps since 2019;
  // before that, bitmaps with every bit set once the port-0x80 bypass went in 2017).
  vmcs.procBased = ProcControl.HltExiting | ProcControl.MwaitExiting | ProcControl.RdpmcExiting
    | ProcControl.UseTscOffsetting | ProcControl.MovDrExiting | ProcControl.UnconditionalIoExiting
    | ProcControl.UseMsrBitmaps | ProcControl.MonitorExiting | ProcControl.UseTprShadow
    | ProcControl.ActivateSecondaryControls;
  vmcs.procBased2 = Proc2Control.EnableEpt | Proc2Control.EnableVpid | Proc2Control.UnrestrictedGuest
    | Proc2Control.WbinvdExiting | Proc2Control.EnableRdtscp | Proc2Control.PauseLoopExiting;
  vmcs.exceptionBitmap = KVM_EXCEPTION_BITMAP;
  vmcs.ioBitmapA.fill(0xFF);
  vmcs.ioBitmapB.fill(0xFF);
  vmcs.msrBitmap.fill(0xFF);
  for (const [index, read, write] of KVM_PASSTHROUGH_MSRS) vmcs.setMsrIntercept(index, !read, !write);
  vmcs.cr0GuestHostMask = ~KVM_CR0_GUEST_OWNED;
  vmcs.cr4GuestHostMask = ~KVM_CR4_GUEST_OWNED;
  return vmcs;
}
