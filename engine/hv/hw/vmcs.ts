// The VMCS-like control block of one vCPU under the hw strategy: pin-based and processor-based
// controls, exception bitmap, I/O bitmaps A/B, MSR bitmaps, CR0/CR4 guest/host masks and read shadows,
// and the EPT. Its methods answer "does this operation exit, and which control made it?" as the SDM
// (Vol. 3C, 26.1) says; they return the cause text, or undefined when the guest runs on.
import { controlCause, UNCONDITIONAL, PinControl, ProcControl, Proc2Control } from './vmx-controls.js';
import type { Ept } from './ept.js';

const IO_BITMAP_BYTES = 4096;    // each of A (ports 0000–7FFF) and B (8000–FFFF)
const MSR_BITMAP_BYTES = 4096;   // read-low, read-high, write-low, write-high: 1 KiB each
const MSR_HIGH_BASE = 0xC000_0000;

export class Vmcs {
  pinBased = 0;                                        // pin-based VM-execution controls
  procBased = 0;                                       // primary processor-based controls
  procBased2 = 0;                                      // secondary processor-based controls
  exceptionBitmap = 0;                                 // bit v set: exception v exits
  readonly ioBitmapA = new Uint8Array(IO_BITMAP_BYTES);  // bit set: port exits (0000–7FFF)
  readonly ioBitmapB = new Uint8Array(IO_BITMAP_BYTES);  // bit set: port exits (8000–FFFF)
  readonly msrBitmap = new Uint8Array(MSR_BITMAP_BYTES); // SDM 25.6.9 layout
  cr0GuestHostMask = 0;                                // CR0 bits the host owns
  cr0ReadShadow = 0;                                   // what the guest reads in host-owned CR0 bits
  cr4GuestHostMask = 0;                                // CR4 bits the host owns
  cr4ReadShadow = 0;                                   // what the guest reads in host-owned CR4 bits

  constructor(readonly ept: () => Ept) {}

  /** Sets or clears the I/O-bitmap bit of port (whether it exits while "use I/O bitmaps" is on). */
  setIoIntercept(port: number, exits: boolean): void {
    const bitmap = port < 0x8000 ? this.ioBitmapA : this.ioBitmapB;
    const bit = port & 0x7FFF;
    if (exits) bitmap[bit >>> 3] |= 1 << (bit & 7); else bitmap[bit >>> 3] &= ~(1 << (bit & 7));
  }

  /** Sets or clears the MSR-bitmap bits of index for reads and writes (indexes outside both ranges always exit). */
  setMsrIntercept(index: number, read: boolean, write: boolean): void {
    const slot = msrSlot(index);
    if (slot === undefined) throw new RangeError(`MSR 0x${index.toString(16)} has no MSR-bitmap bit (it always exits)`);
    const set = (offset: number, on: boolean) => {
      const byte = offset + (slot >>> 3), mask = 1 << (slot & 7);
      if (on) this.msrBitmap[byte] |= mask; else this.msrBitmap[byte] &= ~mask;
    };
    const high = index >= MSR_HIGH_BASE ? 1024 : 0;
    set(high, read);
    set(2048 + high, write);
  }

  /** IN/OUT/INS/OUTS of size bytes at port (SDM 26.1.3). */
  ioExitCause(port: number, size: number): string | undefined {
    if (this.procBased & ProcControl.UseIoBitmaps) {
      for (let k = 0; k < size; k++) {
        const p = port + k;
        if (p > 0xFFFF) return 'I/O bitmap (access wraps past port 0xffff)';
        const bitmap = p < 0x8000 ? this.ioBitmapA : this.ioBitmapB;
        const bit = p & 0x7FFF;
        if (bitmap[bit >>> 3] & (1 << (bit & 7))) return `I/O bitmap ${p < 0x8000 ? 'A' : 'B'} bit 0x${bit.toString(16)}`;
      }
      return undefined;
    }
    if (this.procBased & ProcControl.UnconditionalIoExiting) return controlCause('primary processor-based', ProcControl.UnconditionalIoExiting);
    return undefined;
  }

  /** RDMSR (write false) or WRMSR (write true) of index (SDM 26.1.3). */
  msrExitCause(index: number, write: boolean): string | undefined {
    if (!(this.procBased & ProcControl.UseMsrBitmaps)) return `${UNCONDITIONAL} (use MSR bitmaps is off)`;
    const slot = msrSlot(index);
    if (slot === undefined) return `${UNCONDITIONAL} (MSR 0x${index.toString(16)} is outside the MSR-bitmap ranges)`;
    const offset = (write ? 2048 : 0) + (index >= MSR_HIGH_BASE ? 1024 : 0);
    if (this.msrBitmap[offset + (slot >>> 3)] & (1 << (slot & 7))) {
      return `MSR bitmap (${write ? 'write' : 'read'} ${index >= MSR_HIGH_BASE ? 'high' : 'low'} bit 0x${slot.toString(16)})`;
    }
    return undefined;
  }

  /** MOV to CR0/CR4 (SDM 26.1.3: a host-owned bit whose new value differs from the read shadow). */
  crWriteExitCause(cr: number, value: number): string | undefined {
    if (cr === 3) return this.procBased & ProcControl.Cr3LoadExiting ? controlCause('primary processor-based', ProcControl.Cr3LoadExiting) : undefined;
    if (cr !== 0 && cr !== 4) return undefined;
    const [mask, shadow] = cr === 0 ? [this.cr0GuestHostMask, this.cr0ReadShadow] : [this.cr4GuestHostMask, this.cr4ReadShadow];
    const differing = (value ^ shadow) & mask;
    if (differing === 0) return undefined;
    const bit = 31 - Math.clz32(differing & -differing);
    return `CR${cr} guest/host mask bit ${bit}`;
  }

  /** CLTS: exits when CR0.TS is host-owned and its read shadow is 1. */
  cltsExitCause(): string | undefined {
    return (this.cr0GuestHostMask & this.cr0ReadShadow & 8) ? 'CR0 guest/host mask bit 3' : undefined;
  }

  /** LMSW with source value (SDM 26.1.3: PE set from 0, or a host-owned MP/EM/TS bit changing). */
  lmswExitCause(source: number): string | undefined {
    const mask = this.cr0GuestHostMask, shadow = this.cr0ReadShadow;
    if ((mask & 1) && !(shadow & 1) && (source & 1)) return 'CR0 guest/host mask bit 0';
    const differing = (source ^ shadow) & mask & 0xE;
    if (differing === 0) return undefined;
    return `CR0 guest/host mask bit ${31 - Math.clz32(differing & -differing)}`;
  }

  /** MOV from CR3 (CR0/CR4 reads never exit: the guest reads the shadows). */
  crReadExitCause(cr: number): string | undefined {
    return cr === 3 && (this.procBased & ProcControl.Cr3StoreExiting) ? controlCause('primary processor-based', ProcControl.Cr3StoreExiting) : undefined;
  }

  /** What the guest reads from CR0/CR4: host-owned bits from the read shadow, the others from the register. */
  crReadValue(cr: number, actual: number): number {
    if (cr === 0) return ((actual & ~this.cr0GuestHostMask) | (this.cr0ReadShadow & this.cr0GuestHostMask)) >>> 0;
    if (cr === 4) return ((actual & ~this.cr4GuestHostMask) | (this.cr4ReadShadow & this.cr4GuestHostMask)) >>> 0;
    return actual;
  }

  /** An exception (hardware or INT3/INTO/INT1) with vector: the exception bitmap decides. */
  exceptionExitCause(vector: number): string | undefined {
    return vector < 32 && (this.exceptionBitmap >>> vector) & 1 ? `exception bitmap bit ${vector}` : undefined;
  }

  /** A primary processor-based "X exiting" control (HLT, INVLPG, RDTSC, MOV-DR, PAUSE …). */
  procExitCause(control: ProcControl): string | undefined {
    return this.procBased & control ? controlCause('primary processor-based', control) : undefined;
  }

  /** A secondary processor-based exiting control (WBINVD exiting), honoured only with secondary controls on. */
  proc2ExitCause(control: Proc2Control): string | undefined {
    if (!(this.procBased & ProcControl.ActivateSecondaryControls) || !(this.procBased2 & control)) return undefined;
    return controlCause('secondary processor-based', control);
  }

  /** External interrupts: pin-based external-interrupt exiting. */
  externalInterruptExitCause(): string | undefined {
    return this.pinBased & PinControl.ExternalInterruptExiting ? controlCause('pin-based', PinControl.ExternalInterruptExiting) : undefined;
  }

  /** True when EPT is on (secondary controls active and "enable EPT" set). */
  get eptEnabled(): boolean {
    return (this.procBased & ProcControl.ActivateSecondaryControls) !== 0 && (this.procBased2 & Proc2Control.EnableEpt) !== 0;
  }
}

/** The bit of index inside its 1 KiB MSR-bitmap quarter, or undefined outside 0–1FFF and C0000000–C0001FFF. */
function msrSlot(index: number): number | undefined {
  const i = index >>> 0;
  if (i <= 0x1FFF) return i;
  if (i >= MSR_HIGH_BASE && i <= MSR_HIGH_BASE + 0x1FFF) return i - MSR_HIGH_BASE;
  return undefined;
}
