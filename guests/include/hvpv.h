/* hvpv.h — the C side of hvdbg's paravirtual ABI (docs/hypercalls.md): Xen's 32-bit PV hypercall
   numbers and structures, and the calls themselves, through the hypercall page (vmcall) or int $0x82. */
#ifndef HVPV_H
#define HVPV_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* ---- hypercall numbers (Xen's __HYPERVISOR_*) ---- */
#define __HYPERVISOR_set_trap_table    0
#define __HYPERVISOR_mmu_update        1
#define __HYPERVISOR_set_gdt           2
#define __HYPERVISOR_stack_switch      3
#define __HYPERVISOR_set_callbacks     4
#define __HYPERVISOR_fpu_taskswitch    5
#define __HYPERVISOR_memory_op        12
#define __HYPERVISOR_multicall        13
#define __HYPERVISOR_update_va_mapping 14
#define __HYPERVISOR_set_timer_op     15
#define __HYPERVISOR_xen_version      17
#define __HYPERVISOR_console_io       18
#define __HYPERVISOR_iret             23
#define __HYPERVISOR_vcpu_op          24
#define __HYPERVISOR_mmuext_op        26
#define __HYPERVISOR_sched_op         29
#define __HYPERVISOR_event_channel_op 32

/* ---- errors (negated in the result) ---- */
#define HVPV_EPERM   1
#define HVPV_ENOENT  2
#define HVPV_ESRCH   3
#define HVPV_EFAULT 14
#define HVPV_EINVAL 22
#define HVPV_ENOSYS 38

/* ---- layout: selectors, the hypervisor hole ---- */
#define FLAT_RING1_CS 0xe019
#define FLAT_RING1_DS 0xe021
#define FLAT_RING3_CS 0xe02b
#define FLAT_RING3_DS 0xe033
#define FLAT_KERNEL_CS FLAT_RING1_CS
#define FLAT_KERNEL_DS FLAT_RING1_DS
#define HYPERVISOR_VIRT_START 0xfc000000UL
#define DOMID_SELF 0x7ff0
#define PAGE_SIZE 4096

/* ---- ELF notes: what makes a kernel a pv kernel (use in assembly) ---- */
#define XEN_ELFNOTE_ENTRY          1
#define XEN_ELFNOTE_HYPERCALL_PAGE 2
#define XEN_ELFNOTE_VIRT_BASE      3
#define XEN_ELFNOTE_GUEST_OS       6

/* ---- start_info: where ESI points at entry ---- */
#ifndef __ASSEMBLER__
struct start_info {
    char magic[32];             /* "xen-3.0-x86_32" */
    unsigned long nr_pages;     /* frames of RAM the domain owns */
    unsigned long shared_info;  /* machine address of the shared-info page */
    uint32_t flags;
    uint32_t store_mfn, store_evtchn;
    uint32_t console_mfn, console_evtchn;
    unsigned long pt_base;      /* virtual address of the initial page directory */
    unsigned long nr_pt_frames; /* its frames (directory + tables) */
    unsigned long mfn_list;     /* virtual address of the P2M list */
    unsigned long mod_start, mod_len;
    char cmd_line[1024];
    unsigned long first_p2m_pfn, nr_p2m_frames;
};
#endif

/* ---- shared_info: vCPU 0's event state and time, the event-channel bitmaps ---- */
#ifndef __ASSEMBLER__
struct vcpu_time_info {
    uint32_t version, pad0;
    uint64_t tsc_timestamp;     /* TSC when system_time was taken */
    uint64_t system_time;       /* ns since the domain started */
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    int8_t pad1[3];
};
#endif
#ifndef __ASSEMBLER__
struct vcpu_info {
    uint8_t evtchn_upcall_pending;
    uint8_t evtchn_upcall_mask; /* the guest's "interrupts off" */
    uint16_t pad;
    uint32_t evtchn_pending_sel;
    uint32_t cr2, arch_pad[5];
    struct vcpu_time_info time;
};
#endif
#ifndef __ASSEMBLER__
struct shared_info {
    struct vcpu_info vcpu_info[32];
    uint32_t evtchn_pending[32];
    uint32_t evtchn_mask[32];
    uint32_t wc_version, wc_sec, wc_nsec;
};
#endif

/* ---- argument structures ---- */
#ifndef __ASSEMBLER__
struct trap_info { uint8_t vector; uint8_t flags; uint16_t cs; unsigned long address; };
#endif
#define TI_CLEAR_EVENT_MASK 4           /* flags: mask events while the handler runs */
#ifndef __ASSEMBLER__
struct mmu_update { uint64_t ptr; uint64_t val; };
#endif
#define MMU_NORMAL_PT_UPDATE 0
#ifndef __ASSEMBLER__
struct mmuext_op { uint32_t cmd; uint32_t arg1; uint32_t arg2; };
#endif
#define MMUEXT_PIN_L1_TABLE 0
#define MMUEXT_PIN_L2_TABLE 1
#define MMUEXT_UNPIN_TABLE 4
#define MMUEXT_NEW_BASEPTR 5
#define MMUEXT_TLB_FLUSH_LOCAL 6
#define MMUEXT_INVLPG_LOCAL 7
#ifndef __ASSEMBLER__
struct multicall_entry { unsigned long op, result, args[6]; };
#endif
#define UVMF_NONE 0
#define UVMF_TLB_FLUSH 1
#define UVMF_INVLPG 2
#define XENVER_version 0
#define XENVER_extraversion 1
#define XENVER_capabilities 3
#define XENVER_platform_parameters 5
#define XENVER_pagesize 7
#define XENMEM_maximum_ram_page 2
#define XENMEM_current_reservation 3
#define CONSOLEIO_write 0
#define CONSOLEIO_read 1
#define SCHEDOP_yield 0
#define SCHEDOP_block 1
#define SCHEDOP_shutdown 2
#define SCHEDOP_poll 3
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_crash 3
#ifndef __ASSEMBLER__
struct sched_shutdown { unsigned int reason; };
#endif
#ifndef __ASSEMBLER__
struct sched_poll { uint32_t *ports; unsigned int nr_ports; uint64_t timeout; };
#endif
#define VCPUOP_is_up 3
#define VCPUOP_set_periodic_timer 6
#define VCPUOP_stop_periodic_timer 7
#define VCPUOP_set_singleshot_timer 8
#define VCPUOP_stop_singleshot_timer 9
#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_unmask 9
#define VIRQ_TIMER 0
#ifndef __ASSEMBLER__
struct evtchn_bind_virq { uint32_t virq; uint32_t vcpu; uint32_t port; };
#endif
#ifndef __ASSEMBLER__
struct evtchn_bind_ipi { uint32_t vcpu; uint32_t port; };
#endif
#ifndef __ASSEMBLER__
struct evtchn_port { uint32_t port; };
#endif   /* send, unmask, close */

/* ---- making the calls ---- */
#ifndef __ASSEMBLER__
/* The page the hypervisor fills with 32-byte stubs (the kernel names it in XEN_ELFNOTE_HYPERCALL_PAGE). */
extern char hypercall_page[PAGE_SIZE];

#define HVPV_STR2(x) #x
#define HVPV_STR(x) HVPV_STR2(x)
/* Through the hypercall page (vmcall), or with HVPV_USE_INT82 defined, by int $0x82. */
#ifdef HVPV_USE_INT82
#define HVPV_TRAP(name) "int $0x82"
#else
#define HVPV_TRAP(name) "call hypercall_page+" HVPV_STR(__HYPERVISOR_##name) "*32"
#endif

#define _hvpv_call5(name, a1, a2, a3, a4, a5) ({                                         \
    long __r, __b, __c, __d, __s, __di;                                                 \
    __asm__ volatile (HVPV_TRAP(name)                                                    \
        : "=a"(__r), "=b"(__b), "=c"(__c), "=d"(__d), "=S"(__s), "=D"(__di)              \
        : "0"(__HYPERVISOR_##name), "1"((long)(a1)), "2"((long)(a2)), "3"((long)(a3)),   \
          "4"((long)(a4)), "5"((long)(a5))                                               \
        : "memory");                                                                    \
    __r; })

/* Any hypercall by number through int $0x82 (numbers not known at compile time, tests). */
static inline long hvpv_int82(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
                              unsigned long a4, unsigned long a5)
{
    long r, b, c, d, s, di;
    __asm__ volatile ("int $0x82" : "=a"(r), "=b"(b), "=c"(c), "=d"(d), "=S"(s), "=D"(di)
                      : "0"(nr), "1"(a1), "2"(a2), "3"(a3), "4"(a4), "5"(a5) : "memory");
    return r;
}

#define HYPERVISOR_set_trap_table(t)            _hvpv_call5(set_trap_table, t, 0, 0, 0, 0)
#define HYPERVISOR_mmu_update(r, n, done, dom)  _hvpv_call5(mmu_update, r, n, done, dom, 0)
#define HYPERVISOR_set_gdt(frames, entries)     _hvpv_call5(set_gdt, frames, entries, 0, 0, 0)
#define HYPERVISOR_stack_switch(ss, esp)        _hvpv_call5(stack_switch, ss, esp, 0, 0, 0)
#define HYPERVISOR_set_callbacks(ecs, eip, fcs, fip) _hvpv_call5(set_callbacks, ecs, eip, fcs, fip, 0)
#define HYPERVISOR_fpu_taskswitch(set)          _hvpv_call5(fpu_taskswitch, set, 0, 0, 0, 0)
#define HYPERVISOR_memory_op(cmd, arg)          _hvpv_call5(memory_op, cmd, arg, 0, 0, 0)
#define HYPERVISOR_multicall(calls, n)          _hvpv_call5(multicall, calls, n, 0, 0, 0)
#define HYPERVISOR_update_va_mapping(va, pte, flags) _hvpv_call5(update_va_mapping, va, pte, flags, 0, 0)
#define HYPERVISOR_set_timer_op(ns) _hvpv_call5(set_timer_op, (uint32_t)(ns), (uint32_t)((uint64_t)(ns) >> 32), 0, 0, 0)
#define HYPERVISOR_xen_version(cmd, arg)        _hvpv_call5(xen_version, cmd, arg, 0, 0, 0)
#define HYPERVISOR_console_io(cmd, n, buf)      _hvpv_call5(console_io, cmd, n, buf, 0, 0)
#define HYPERVISOR_vcpu_op(cmd, vcpu, arg)      _hvpv_call5(vcpu_op, cmd, vcpu, arg, 0, 0)
#define HYPERVISOR_mmuext_op(ops, n, done, dom) _hvpv_call5(mmuext_op, ops, n, done, dom, 0)
#define HYPERVISOR_sched_op(cmd, arg)           _hvpv_call5(sched_op, cmd, arg, 0, 0, 0)
#define HYPERVISOR_event_channel_op(cmd, arg)   _hvpv_call5(event_channel_op, cmd, arg, 0, 0, 0)

/* System time in ns from the shared-info time record (Xen's version protocol). */
static inline uint64_t hvpv_system_time(volatile struct vcpu_info *v)
{
    uint32_t version, lo, hi;
    uint64_t base, stamp, tsc;
    do {
        version = v->time.version;
        __asm__ volatile ("" ::: "memory");
        base = v->time.system_time;
        stamp = v->time.tsc_timestamp;
        __asm__ volatile ("rdtsc" : "=a"(lo), "=d"(hi));
        tsc = ((uint64_t)hi << 32) | lo;
        __asm__ volatile ("" ::: "memory");
    } while ((version & 1) || version != v->time.version);
    uint64_t delta = tsc - stamp;
    delta = v->time.tsc_shift >= 0 ? delta << v->time.tsc_shift : delta >> -v->time.tsc_shift;
    /* (delta * mul) >> 32 without a 64×64 multiply */
    uint64_t mul = v->time.tsc_to_system_mul;
    return base + (((delta & 0xffffffffu) * mul) >> 32) + ((delta >> 32) * mul);
}
#endif /* __ASSEMBLER__ */

#endif
