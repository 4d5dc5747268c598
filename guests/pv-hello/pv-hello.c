/* pv-hello: a paravirtual guest for hvdbg's pv strategy. It writes through console_io, maps the
   shared-info page, is refused a mapping of hypervisor memory, takes events over an IPI channel and
   the timer VIRQ (set_timer_op + sched_op block), batches calls with multicall, polls a periodic
   timer with events masked, has a privileged instruction trapped, and shuts down. */
#include <stdarg.h>
#include <stdint.h>
#include "hvpv.h"
#include "printf.h"

extern char hypervisor_callback[], failsafe_callback[], gp_entry[], kernel_stack_top[];

/* Page the shared-info frame is mapped over, and one to try hypervisor memory with. */
static char shared_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char probe_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static volatile struct shared_info *shared;
static uint32_t timer_port, ipi_port;
static volatile int timer_events, ipi_events;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1)
        n = sizeof buf - 1;
    HYPERVISOR_console_io(CONSOLEIO_write, n, buf);
}

static void shutdown(unsigned reason)
{
    struct sched_shutdown s = { reason };
    HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

static void check(const char *what, long rc)
{
    if (rc != 0) {
        say("pv-hello: %s failed: %ld\n", what, rc);
        shutdown(SHUTDOWN_crash);
    }
}

/* Called from hypervisor_callback with events masked: handle every pending, unmasked port. */
void evtchn_do_upcall(void)
{
    volatile struct vcpu_info *v = &shared->vcpu_info[0];
    v->evtchn_upcall_pending = 0;
    uint32_t sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    while (sel) {
        unsigned word = __builtin_ctz(sel);
        sel &= sel - 1;
        uint32_t bits = shared->evtchn_pending[word] & ~shared->evtchn_mask[word];
        while (bits) {
            unsigned port = word * 32 + __builtin_ctz(bits);
            bits &= bits - 1;
            __atomic_and_fetch(&shared->evtchn_pending[word], ~(1u << (port & 31)), __ATOMIC_SEQ_CST);
            if (port == timer_port)
                timer_events++;
            else if (port == ipi_port)
                ipi_events++;
            say("pv-hello: event on port %u (%s)\n", port, port == timer_port ? "timer VIRQ" : port == ipi_port ? "IPI" : "?");
        }
    }
}

struct trap_frame { uint32_t error_code, eip, cs, eflags; };

/* #GP from a privileged instruction: report it and step over the instruction (1-byte CLI/STI/HLT). */
void gp_handler(struct trap_frame *f)
{
    uint8_t opcode = *(uint8_t *)f->eip;
    say("pv-hello: #GP at 0x%08x (opcode 0x%02x, cs 0x%x): privileged at ring %u, skipped\n",
        (unsigned)f->eip, opcode, (unsigned)f->cs, (unsigned)(f->cs & 3));
    f->eip += 1;
}

static void map_shared_info(const struct start_info *si)
{
    long rc = HYPERVISOR_update_va_mapping((unsigned long)shared_page, si->shared_info | 0x63 /* P|RW|A|D */, UVMF_INVLPG);
    check("update_va_mapping(shared_info)", rc);
    shared = (volatile struct shared_info *)shared_page;
    /* The frame right after shared_info is hypervisor memory: the hypervisor must refuse it. */
    rc = HYPERVISOR_update_va_mapping((unsigned long)probe_page, (si->shared_info + PAGE_SIZE) | 0x63, UVMF_INVLPG);
    say("pv-hello: mapping hypervisor frame 0x%lx refused with %ld (-EPERM is -%d)\n",
        (si->shared_info + PAGE_SIZE) >> 12, rc, HVPV_EPERM);
}

static void setup_events(void)
{
    static struct trap_info traps[] = {
        { 13, 0, FLAT_KERNEL_CS, (unsigned long)gp_entry },
        { 0, 0, 0, 0 },
    };
    check("set_trap_table", HYPERVISOR_set_trap_table(traps));
    check("set_callbacks", HYPERVISOR_set_callbacks(FLAT_KERNEL_CS, hypervisor_callback, FLAT_KERNEL_CS, failsafe_callback));

    struct evtchn_bind_virq bv = { VIRQ_TIMER, 0, 0 };
    check("bind_virq", HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv));
    timer_port = bv.port;
    struct evtchn_bind_ipi bi = { 0, 0 };
    check("bind_ipi", HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &bi));
    ipi_port = bi.port;
    say("pv-hello: timer VIRQ on port %u, IPI on port %u\n", (unsigned)timer_port, (unsigned)ipi_port);

    /* Mask the IPI port, send to it (stays pending, no upcall), then unmask: now it is delivered. */
    shared->evtchn_mask[0] |= 1u << ipi_port;
    shared->vcpu_info[0].evtchn_upcall_mask = 0;          /* events on */
    struct evtchn_port p = { ipi_port };
    check("send", HYPERVISOR_event_channel_op(EVTCHNOP_send, &p));
    say("pv-hello: IPI sent while masked: %d delivered\n", ipi_events);
    check("unmask", HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &p));
    say("pv-hello: after unmask: %d delivered\n", ipi_events);
}

static void timer_ticks(int count)
{
    volatile struct vcpu_info *v = &shared->vcpu_info[0];
    for (int k = 1; k <= count; k++) {
        uint64_t now = hvpv_system_time(v);
        check("set_timer_op", HYPERVISOR_set_timer_op(now + 1000000));   /* 1 ms from now */
        int before = timer_events;
        while (timer_events == before)
            HYPERVISOR_sched_op(SCHEDOP_block, 0);                        /* enables events, sleeps */
        uint64_t after = hvpv_system_time(v);
        say("pv-hello: tick %d: woke %u us after arming\n", k, (unsigned)((uint32_t)(after - now) / 1000));
    }
}

/* One crossing for two calls; the kernel stack for traps from ring 3; lazy-FPU and TLB controls. */
static void batched_and_control_calls(void)
{
    uint16_t self = DOMID_SELF;
    struct multicall_entry calls[2] = {
        { __HYPERVISOR_xen_version, 0, { XENVER_pagesize } },
        { __HYPERVISOR_memory_op, 0, { XENMEM_current_reservation, (unsigned long)&self } },
    };
    check("multicall", HYPERVISOR_multicall(calls, 2));
    say("pv-hello: multicall: page size %lu, %lu pages reserved\n", calls[0].result, calls[1].result);
    check("stack_switch", HYPERVISOR_stack_switch(FLAT_KERNEL_DS, kernel_stack_top));
    check("fpu_taskswitch(1)", HYPERVISOR_fpu_taskswitch(1));
    check("fpu_taskswitch(0)", HYPERVISOR_fpu_taskswitch(0));
    struct mmuext_op flush = { MMUEXT_TLB_FLUSH_LOCAL, 0, 0 };
    uint32_t done = 0;
    check("mmuext_op", HYPERVISOR_mmuext_op(&flush, 1, &done, DOMID_SELF));
    say("pv-hello: stack_switch, fpu_taskswitch, mmuext_op(%u done) ok\n", (unsigned)done);
}

/* A periodic timer waited for with sched_op poll while events stay masked (no upcalls). */
static void polled_ticks(int count)
{
    volatile struct vcpu_info *v = &shared->vcpu_info[0];
    v->evtchn_upcall_mask = 1;
    uint64_t period = 2000000;                                            /* 2 ms */
    check("set_periodic_timer", HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &period));
    for (int k = 1; k <= count; k++) {
        struct sched_poll poll = { &timer_port, 1, 0 };
        check("poll", HYPERVISOR_sched_op(SCHEDOP_poll, &poll));
        __atomic_and_fetch(&shared->evtchn_pending[0], ~(1u << timer_port), __ATOMIC_SEQ_CST);
        say("pv-hello: periodic tick %d (polled, events masked)\n", k);
    }
    check("stop_periodic_timer", HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0));
    v->evtchn_pending_sel = 0;
    v->evtchn_upcall_pending = 0;
    v->evtchn_upcall_mask = 0;
}

void start_kernel(const struct start_info *si)
{
    uint16_t cs;
    __asm__ volatile ("mov %%cs, %0" : "=r"(cs));
    say("pv-hello: running at ring %u, start_info \"%s\", %lu pages\n", cs & 3u, si->magic, si->nr_pages);
    long version = hvpv_int82(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    char extra[16];
    check("xen_version(extraversion)", HYPERVISOR_xen_version(XENVER_extraversion, extra));
    say("pv-hello: hypervisor %ld.%ld%s (asked by int $0x82 and the hypercall page)\n", version >> 16, version & 0xffff, extra);
    say("pv-hello: unknown hypercall 99 returns %ld (-ENOSYS is -%d)\n", hvpv_int82(99, 0, 0, 0, 0, 0), HVPV_ENOSYS);
    map_shared_info(si);
    setup_events();
    timer_ticks(3);
    batched_and_control_calls();
    polled_ticks(2);
    __asm__ volatile ("cli");                                             /* privileged: traps */
    say("pv-hello: %d timer events, %d IPI events; shutting down\n", timer_events, ipi_events);
    shutdown(SHUTDOWN_poweroff);
}
