// The paravirtual ABI's numbers: Xen's 32-bit PV hypercall numbers and names, errno values, the
// hypervisor's virtual-address hole, the flat ring-1/ring-3 selectors and the vectors (docs/hypercalls.md).

/** Hypercall numbers as in Xen's public/xen.h (__HYPERVISOR_*). */
export const enum Hc {
  SetTrapTable = 0, MmuUpdate = 1, SetGdt = 2, StackSwitch = 3, SetCallbacks = 4, FpuTaskswitch = 5,
  MemoryOp = 12, Multicall = 13, UpdateVaMapping = 14, SetTimerOp = 15, XenVersion = 17, ConsoleIo = 18,
  Iret = 23, VcpuOp = 24, MmuextOp = 26, SchedOp = 29, EventChannelOp = 32,
}

/** Xen's names of the hypercalls this hypervisor implements. */
export const HYPERCALL_NAMES: Readonly<Record<number, string>> = {
  0: 'set_trap_table', 1: 'mmu_update', 2: 'set_gdt', 3: 'stack_switch', 4: 'set_callbacks', 5: 'fpu_taskswitch',
  12: 'memory_op', 13: 'multicall', 14: 'update_va_mapping', 15: 'set_timer_op', 17: 'xen_version', 18: 'console_io',
  23: 'iret', 24: 'vcpu_op', 26: 'mmuext_op', 29: 'sched_op', 32: 'event_channel_op',
};

/** Error returns (negated in EAX), Xen's public/errno.h (the same numbers as Linux). */
export const enum Errno { EPERM = 1, ENOENT = 2, ESRCH = 3, EFAULT = 14, EBUSY = 16, EINVAL = 22, ENOSPC = 28, ENOSYS = 38 }

/** The domain's own id in calls that take one (DOMID_SELF). */
export const DOMID_SELF = 0x7FF0;

/** Start of the hypervisor's linear-address hole, as non-PAE 32-bit Xen (HYPERVISOR_VIRT_START). */
export const HYPERVISOR_VIRT_START = 0xFC000000;
/** First page-directory slot of the hole (guests may never change slots ≥ this). */
export const HYPERVISOR_PDE_FIRST = HYPERVISOR_VIRT_START >>> 22;   // 1008

/** Where the hypervisor keeps the vCPU's tables inside the hole (all supervisor pages). */
export const GDT_VIRT = 0xFC000000;           // 16 pages: 14 for the guest's set_gdt frames, 2 reserved
export const GDT_PAGES = 16;
export const IDT_VIRT = 0xFC010000;           // the hypervisor's IDT (gates from set_trap_table)
export const TSS_VIRT = 0xFC011000;           // the TSS whose ss1:esp1 stack_switch sets

/** GDT entries a guest may fill with set_gdt (Xen's FIRST_RESERVED_GDT_ENTRY = 14 pages × 512). */
export const FIRST_RESERVED_GDT_ENTRY = 7168;
/** Xen's flat selectors in the reserved GDT page (public/arch-x86/xen-x86_32.h). */
export const TSS_SELECTOR = 0xE010;
export const FLAT_RING1_CS = 0xE019, FLAT_RING1_DS = 0xE021, FLAT_RING3_CS = 0xE02B, FLAT_RING3_DS = 0xE033;

/** Software interrupt of the hypercall trap (Xen's 32-bit PV guests: int $0x82). */
export const HYPERCALL_VECTOR = 0x82;
/** IDT vector the hypervisor delivers event-channel upcalls through (to the set_callbacks address). */
export const UPCALL_VECTOR = 0x83;

/** Page-table entry bits. */
export const PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_A = 0x20, PTE_D = 0x40, PTE_PS = 0x80;

/** Xen's ELF note name and the note types hvdbg reads (public/elfnote.h). */
export const XEN_NOTE_NAME = 'Xen';
export const enum XenElfNote { Entry = 1, HypercallPage = 2, VirtBase = 3, GuestOs = 6, Loader = 8 }

/** Magic at the start of start_info (non-PAE 32-bit). */
export const START_INFO_MAGIC = 'xen-3.0-x86_32';

/** The hypervisor's version as xen_version reports it: 3.0, extraversion "-hvdbg". */
export const XEN_MAJOR = 3, XEN_MINOR = 0, XEN_EXTRAVERSION = '-hvdbg';

/** Most requests one mmu_update, mmuext_op or multicall takes (Xen preempts long batches; hvdbg refuses them). */
export const MAX_BATCH = 1024;
