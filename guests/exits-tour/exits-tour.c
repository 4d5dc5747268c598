/* exits-tour: one of each VM exit kind, between two markers on port 0x80 (0xA5 … 0x5A) with no other
   output in between, so a test can assert the exact exit sequence: CPUID, I/O in/out/string/REP,
   RDMSR/WRMSR, RDTSC, CR0/CR3/CR4 writes, INVLPG, MOV DR, MMIO (local APIC, VGA), exceptions (#UD,
   #BP), HLT and an external interrupt (PIT IRQ0), VMCALL, WBINVD and INVD, PAUSE. Afterwards it
   prints what it saw (the same on bare hardware and under every strategy) and exits with 0x10. */
#include "guest.h"
#include "exit.h"
#include "interrupts.h"
#include "pic.h"
#include "io.h"
#include "printf.h"
#include "serial.h"

#define MARKER_PORT 0x80
#define TOUR_START 0xA5
#define TOUR_END 0x5A
#define IRQ_BASE 0x20
#define VECTORS 48
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_DIVISOR 11932u            /* 100 Hz */
#define LAPIC_VERSION ((volatile uint32_t *)0xFEE00030)
#define VGA_TEXT ((volatile uint16_t *)0xB8000)
#define MSR_APIC_BASE 0x1B
#define MSR_SYSENTER_CS 0x174
#define CR0_MP (1u << 1)
#define CR0_TS (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_PGE (1u << 7)

static struct idt_gate idt[VECTORS];
static volatile uint32_t ticks, invalid_opcodes, breakpoints;
static const char string_out[3] = { 0x11, 0x22, 0x33 };
static uint8_t string_in[2];

void interrupt_dispatch(struct frame *f)
{
    if (f->vector == IRQ_BASE) { ticks++; outb(PIC1_CMD, PIC_EOI); return; }
    if (f->vector == 6) {                       /* UD2, or VMCALL where no hypervisor answers it */
        const uint8_t *code = (const uint8_t *)f->eip_or_error;
        invalid_opcodes++;
        f->eip_or_error += (code[0] == 0x0F && code[1] == 0x01 && code[2] == 0xC1) ? 3 : 2;
        return;
    }
    if (f->vector == 3) { breakpoints++; return; }                             /* INT3 is a trap */
    printf("unexpected vector %u at eip 0x%x\n", f->vector, f->eip_or_error);
    qemu_exit(1);
}

static inline uint64_t rdmsr(uint32_t index)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t index, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr3(void) { uint32_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(uint32_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

struct results {
    uint32_t vendor[3];
    uint8_t port_b;
    uint32_t pci_config;
    uint64_t apic_base, sysenter_cs;
    uint64_t tsc_before, tsc_after;
    uint32_t cr0_seen, cr4_seen, cr3_seen;
    uint32_t lapic_version;
    uint32_t dr0_seen;
};

static void tour(struct results *r)
{
    uint32_t eax, ebx, ecx, edx;
    cpuid(0, 0, &eax, &r->vendor[0], &r->vendor[2], &r->vendor[1]);     /* exit 10 */
    (void)eax; (void)ebx; (void)ecx; (void)edx;

    r->port_b = inb(0x61);                                              /* exit 30: in, 1 byte */
    outl(0xCF8, 0x80000000u);                                           /* exit 30: out, 4 bytes */
    r->pci_config = inl(0xCFC);                                         /* exit 30: in, 4 bytes */
    const char *src = string_out;
    uint32_t count = sizeof string_out;
    __asm__ volatile("rep outsb" : "+S"(src), "+c"(count) : "d"(MARKER_PORT) : "memory");   /* one exit: string, REP */
    uint8_t *dst = string_in;
    __asm__ volatile("insb" : "+D"(dst) : "d"(0x61) : "memory");        /* exit 30: string, no REP */

    r->apic_base = rdmsr(MSR_APIC_BASE);                                /* exit 31: MSR bitmap */
    wrmsr(MSR_APIC_BASE, r->apic_base);                                 /* exit 32: MSR bitmap */
    wrmsr(MSR_SYSENTER_CS, 0x08);                                       /* passed through: no exit */
    r->sysenter_cs = rdmsr(MSR_SYSENTER_CS);                            /* passed through: no exit */

    r->tsc_before = rdtsc();                                            /* TSC offsetting: no exit */

    uint32_t cr0 = read_cr0();                                          /* read shadow: no exit */
    write_cr0(cr0 | CR0_MP);                                            /* exit 28: host-owned MP */
    write_cr0(cr0 | CR0_MP | CR0_TS);                                   /* TS is guest-owned: no exit */
    __asm__ volatile("clts");                                           /* no exit */
    r->cr0_seen = read_cr0();
    write_cr0(cr0);                                                     /* exit 28 */
    uint32_t cr3 = read_cr3();                                          /* EPT: no exit */
    write_cr3(cr3);                                                     /* EPT: no exit */
    r->cr3_seen = read_cr3();
    uint32_t cr4 = read_cr4();
    write_cr4(cr4 | CR4_PGE);                                           /* PGE is guest-owned: no exit */
    write_cr4(cr4 | CR4_PGE | CR4_PSE);                                 /* exit 28: host-owned PSE */
    r->cr4_seen = read_cr4();
    write_cr4(cr4);                                                     /* exit 28 */
    __asm__ volatile("invlpg (%0)" : : "r"(0x1000) : "memory");         /* EPT: no exit */

    uint32_t dr0 = 0x2000;
    __asm__ volatile("mov %0, %%dr0" : : "r"(dr0));                     /* exit 29, then DRs pass through */
    __asm__ volatile("mov %%dr0, %0" : "=r"(r->dr0_seen));              /* no exit (lazy debug registers) */
    cpuid(1, 0, &eax, &ebx, &ecx, &edx);                                /* exit 10 re-arms MOV-DR exiting */
    __asm__ volatile("mov %0, %%dr0" : : "r"(0));                       /* exit 29 again */

    r->lapic_version = *LAPIC_VERSION;                                  /* exit 48: MMIO read */
    VGA_TEXT[0] = 0x0721;                                               /* exit 48: MMIO write ('!') */

    __asm__ volatile("ud2");                                            /* exit 0: #UD, exception bitmap */
    __asm__ volatile("int3");                                           /* #BP not in the bitmap: no exit */

    __asm__ volatile("sti; hlt; cli" : : : "memory");                  /* exit 12, exit 1 (IRQ0), EOI exit 30 */

    uint32_t hypercall = 0x7FFF;
    __asm__ volatile("vmcall" : "+a"(hypercall) : : "memory");          /* exit 18 */
    __asm__ volatile("wbinvd");                                         /* exit 54 */
    __asm__ volatile("invd");                                           /* exit 13 */
    __asm__ volatile("pause");                                          /* no exit (PAUSE-loop exiting only) */
    r->tsc_after = rdtsc();
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    printf("exits-tour\n");
    idt_install_stubs(idt, VECTORS);
    pic_remap(IRQ_BASE, IRQ_BASE + 8);
    outb(PIC1_DATA, 0xFE);                                              /* IRQ0 only */
    outb(PIC2_DATA, 0xFF);
    outb(PIT_CMD, 0x34);                                                /* channel 0, mode 2 */
    outb(PIT_CH0, PIT_DIVISOR & 0xFF);
    outb(PIT_CH0, PIT_DIVISOR >> 8);

    struct results r;
    outb(MARKER_PORT, TOUR_START);
    tour(&r);
    outb(MARKER_PORT, TOUR_END);
    outb(PIC1_DATA, 0xFF);

    char vendor[13];
    for (int k = 0; k < 12; k++) vendor[k] = (char)(r.vendor[k / 4] >> (8 * (k % 4)));
    vendor[12] = 0;
    printf("cpuid vendor: %s\n", vendor);
    printf("pci config read: 0x%x\n", r.pci_config);
    printf("apic base msr: 0x%x, sysenter_cs: 0x%x\n", (uint32_t)r.apic_base, (uint32_t)r.sysenter_cs);
    printf("cr0 saw MP %u TS %u; cr4 saw PGE %u PSE %u; cr3 kept: %u\n",
           !!(r.cr0_seen & CR0_MP), !!(r.cr0_seen & CR0_TS), !!(r.cr4_seen & CR4_PGE), !!(r.cr4_seen & CR4_PSE),
           r.cr3_seen == read_cr3());
    printf("dr0 read back: 0x%x\n", r.dr0_seen);
    printf("lapic version register: 0x%x\n", r.lapic_version);
    printf("tsc advances: %u\n", r.tsc_after > r.tsc_before);
    printf("#UD handled: %u, #BP handled: %u, timer ticks: %u\n", invalid_opcodes, breakpoints, ticks);
    printf("exits-tour OK\n");
    qemu_exit(0x10);
}
