// The shared-info page (Xen's shared_info, 32-bit layout): vCPU 0's upcall pending/mask bytes, the
// pending-selector word and time record, then the 1024-bit evtchn_pending and evtchn_mask arrays and
// the wall clock. Lives in a hypervisor frame the guest maps writable; this class reads and writes it.
import type { GuestMemory } from '../../memory/guest-memory.js';
import { RTC_DEFAULT_START } from '../../devices/cmos-rtc.js';

/** Byte offsets in shared_info (xen/include/public/xen.h, arch-x86/xen-x86_32.h). */
export const SharedInfoOffset = {
  upcallPending: 0,        // vcpu_info[0].evtchn_upcall_pending (u8)
  upcallMask: 1,           // vcpu_info[0].evtchn_upcall_mask (u8): the guest's virtual "interrupts off"
  pendingSelector: 4,      // vcpu_info[0].evtchn_pending_sel (u32): which pending words to look at
  cr2: 8,                  // vcpu_info[0].arch.cr2 (u32): faulting address of the last #PF bounced
  timeVersion: 32,         // vcpu_info[0].time.version (u32): odd while the hypervisor updates it
  tscTimestamp: 40,        // time.tsc_timestamp (u64): TSC when system_time was taken
  systemTime: 48,          // time.system_time (u64): nanoseconds since the domain started
  tscToSystemMul: 56,      // time.tsc_to_system_mul (u32)
  tscShift: 60,            // time.tsc_shift (i8)
  evtchnPending: 2048,     // evtchn_pending[32] (u32 each): one bit per port
  evtchnMask: 2176,        // evtchn_mask[32] (u32 each)
  wcVersion: 2304,         // wc_version, wc_sec, wc_nsec (u32 each): the wall clock at system time 0
} as const;

/** Event-channel ports per domain (32-bit: 32 words × 32 bits). */
export const NR_EVENT_CHANNELS = 1024;

export class SharedInfo {
  constructor(private readonly memory: GuestMemory, readonly physical: number) {}

  private u8(off: number): number { return this.memory.read8(this.physical + off); }
  private set8(off: number, v: number): void { this.memory.write8(this.physical + off, v); }
  private u32(off: number): number { return this.memory.read32(this.physical + off) >>> 0; }
  private set32(off: number, v: number): void { this.memory.write32(this.physical + off, v | 0); }

  /**
   * Zeroes the page and starts with events masked, as Xen does for a new vCPU; the wall clock at
   * system time 0 is the virtual RTC's start (2026-01-01 00:00:00 UTC), so runs stay reproducible.
   */
  reset(): void {
    for (let off = 0; off < 4096; off += 4) this.set32(off, 0);
    this.upcallMask = true;
    this.set32(SharedInfoOffset.wcVersion, 2);
    this.set32(SharedInfoOffset.wcVersion + 4, Math.floor(RTC_DEFAULT_START / 1000));
    this.set32(SharedInfoOffset.wcVersion + 8, (RTC_DEFAULT_START % 1000) * 1_000_000);
  }

  get upcallPending(): boolean { return this.u8(SharedInfoOffset.upcallPending) !== 0; }
  set upcallPending(v: boolean) { this.set8(SharedInfoOffset.upcallPending, v ? 1 : 0); }
  get upcallMask(): boolean { return this.u8(SharedInfoOffset.upcallMask) !== 0; }
  set upcallMask(v: boolean) { this.set8(SharedInfoOffset.upcallMask, v ? 1 : 0); }

  /** True when an upcall is due: something is pending and the guest has events enabled. */
  get upcallDue(): boolean {
    return this.memory.read16(this.physical) === 0x0001;   // pending = 1 and mask = 0
  }

  isPending(port: number): boolean { return (this.u32(SharedInfoOffset.evtchnPending + (port >>> 5) * 4) >>> (port & 31) & 1) !== 0; }
  isMasked(port: number): boolean { return (this.u32(SharedInfoOffset.evtchnMask + (port >>> 5) * 4) >>> (port & 31) & 1) !== 0; }

  /**
   * Marks port pending (Xen's evtchn_set_pending): when it was not pending already and is not
   * masked, sets its selector bit and the vCPU's upcall-pending byte. Returns true if that happened.
   */
  setPending(port: number): boolean {
    const off = SharedInfoOffset.evtchnPending + (port >>> 5) * 4, bit = 1 << (port & 31);
    const word = this.u32(off);
    if (word & bit) return false;
    this.set32(off, word | bit);
    if (this.isMasked(port)) return false;
    return this.notifySelector(port >>> 5);
  }

  /** Clears the mask bit of port; if the port is pending, re-raises the upcall (Xen's evtchn_unmask). */
  unmask(port: number): void {
    const off = SharedInfoOffset.evtchnMask + (port >>> 5) * 4;
    this.set32(off, this.u32(off) & ~(1 << (port & 31)));
    if (this.isPending(port)) this.notifySelector(port >>> 5);
  }

  /** Clears the pending bit of port (when the hypervisor closes it). */
  clearPending(port: number): void {
    const off = SharedInfoOffset.evtchnPending + (port >>> 5) * 4;
    this.set32(off, this.u32(off) & ~(1 << (port & 31)));
  }

  private notifySelector(word: number): boolean {
    const sel = this.u32(SharedInfoOffset.pendingSelector);
    this.set32(SharedInfoOffset.pendingSelector, sel | (1 << word));
    const was = this.upcallPending;
    this.upcallPending = true;
    return !was;
  }

  /** Records the faulting address of a page fault bounced to the guest (vcpu_info.arch.cr2). */
  set cr2(v: number) { this.set32(SharedInfoOffset.cr2, v); }

  /**
   * Publishes the time: system time nowNs at TSC tsc, with a 1:1 TSC-to-nanosecond scale (hvdbg's
   * TSC counts virtual nanoseconds). The version is odd during the update, as Xen's protocol says.
   */
  updateTime(nowNs: number, tsc: bigint): void {
    const version = this.u32(SharedInfoOffset.timeVersion);
    this.set32(SharedInfoOffset.timeVersion, version + 1);
    this.set64(SharedInfoOffset.tscTimestamp, tsc);
    this.set64(SharedInfoOffset.systemTime, BigInt(Math.floor(nowNs)));
    this.set32(SharedInfoOffset.tscToSystemMul, 0x80000000);   // (delta << 1) * 2^31 >> 32 = delta
    this.set8(SharedInfoOffset.tscShift, 1);
    this.set32(SharedInfoOffset.timeVersion, version + 2);
  }

  private set64(off: number, v: bigint): void {
    this.set32(off, Number(v & 0xFFFFFFFFn));
    this.set32(off + 4, Number((v >> 32n) & 0xFFFFFFFFn));
  }
}
