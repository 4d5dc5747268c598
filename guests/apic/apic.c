/* APIC guest: checks CPUID's APIC bit and IA32_APIC_BASE, masks the 8259A pair, software-enables the
   local APIC through the spurious-vector register, runs the APIC timer periodic on vector 0x40 and counts
   its interrupts (EOI each), then routes the PIT (ISA IRQ0 = IO-APIC pin 2) at 100 Hz through an
   edge-triggered redirection entry to vector 0x41, and the RTC periodic interrupt (IRQ8 = pin 8) through
   a level-triggered entry to vector 0x42 (remote IRR until EOI). Ends with "APIC OK", qemu_exit(0x10). */
#include "guest.h"
#include "exit.h"
#include "interrupts.h"
#include "io.h"
#include "printf.h"
#include "serial.h"

#define LAPIC_BASE 0xFEE00000u
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_ISR 0x100
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3E0
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define SVR_ENABLE (1u << 8)

#define IOAPIC_BASE 0xFEC00000u
#define IOAPIC_VERSION 0x01
#define IOAPIC_REDIR(pin) (0x10 + 2 * (pin))
#define RTE_LEVEL (1u << 15)
#define RTE_REMOTE_IRR (1u << 14)
#define RTE_MASKED (1u << 16)

#define MSR_APIC_BASE 0x1B

#define TIMER_VECTOR 0x40
#define PIT_VECTOR 0x41
#define RTC_VECTOR 0x42
#define SPURIOUS_VECTOR 0xFF

#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_DIVISOR 11932u   /* 1193182 Hz / 100 */
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

#define TIMER_WANTED 10
#define PIT_WANTED 5
#define RTC_WANTED 8

static struct idt_gate idt[256];
static volatile uint32_t timer_ticks, pit_ticks, rtc_ticks, spurious;
static volatile uint32_t remote_irr_in_handler;

static void fail(const char *what)
{
    printf("FAIL: %s\n", what);
    qemu_exit(1);
}

static uint32_t lapic_read(uint32_t reg) { return *(volatile uint32_t *)(LAPIC_BASE + reg); }
static void lapic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(LAPIC_BASE + reg) = v; }

static uint32_t ioapic_read(uint32_t index)
{
    *(volatile uint32_t *)IOAPIC_BASE = index;
    return *(volatile uint32_t *)(IOAPIC_BASE + 0x10);
}

static void ioapic_write(uint32_t index, uint32_t v)
{
    *(volatile uint32_t *)IOAPIC_BASE = index;
    *(volatile uint32_t *)(IOAPIC_BASE + 0x10) = v;
}

static uint8_t cmos_read(uint8_t reg) { outb(CMOS_INDEX, reg); return inb(CMOS_DATA); }
static void cmos_write(uint8_t reg, uint8_t v) { outb(CMOS_INDEX, reg); outb(CMOS_DATA, v); }

static uint64_t rdmsr(uint32_t index)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index));
    return ((uint64_t)hi << 32) | lo;
}

void interrupt_dispatch(struct frame *f)
{
    switch (f->vector) {
    case TIMER_VECTOR:
        timer_ticks++;
        lapic_write(LAPIC_EOI, 0);
        return;
    case PIT_VECTOR:
        pit_ticks++;
        lapic_write(LAPIC_EOI, 0);
        return;
    case RTC_VECTOR:
        rtc_ticks++;
        if (ioapic_read(IOAPIC_REDIR(8)) & RTE_REMOTE_IRR) remote_irr_in_handler++;
        (void)cmos_read(0x0C);          /* lowers IRQ8 */
        lapic_write(LAPIC_EOI, 0);      /* clears remote IRR */
        return;
    case SPURIOUS_VECTOR:
        spurious++;                     /* no EOI for the spurious vector */
        return;
    case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: case 0x27:
        spurious++;                     /* a PIC vector (the PIC is masked; only IRQ7 could appear) */
        return;
    default:
        printf("unexpected vector %u at eip 0x%x\n", f->vector, f->eip_or_error);
        qemu_exit(1);
    }
}

/* Remaps the 8259A pair to 0x20/0x28 (away from the exception vectors) and masks every input. */
static void pic_disable(void)
{
    outb(0x20, 0x11); outb(0xA0, 0x11);
    outb(0x21, 0x20); outb(0xA1, 0x28);
    outb(0x21, 0x04); outb(0xA1, 0x02);
    outb(0x21, 0x01); outb(0xA1, 0x01);
    outb(0x21, 0xFF); outb(0xA1, 0xFF);
}

/* Waits with interrupts on until *counter reaches target (the sti shadow covers the hlt). */
static void wait_for(volatile uint32_t *counter, uint32_t target)
{
    cli();
    while (*counter < target) {
        __asm__ volatile("sti; hlt; cli" : : : "memory");
    }
}

static int isr_empty(void)
{
    for (uint32_t k = 0; k < 8; k++) if (lapic_read(LAPIC_ISR + k * 0x10)) return 0;
    return 1;
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    printf("apic guest\n");
    idt_install_stubs(idt, 256);

    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    if (!(d & (1u << 9))) fail("CPUID.1:EDX.APIC");
    uint64_t base = rdmsr(MSR_APIC_BASE);
    if ((base & 0xFFFFF000u) != LAPIC_BASE) fail("IA32_APIC_BASE base 0xFEE00000");
    if (!(base & (1u << 11)) || !(base & (1u << 8))) fail("IA32_APIC_BASE: enabled BSP");
    printf("IA32_APIC_BASE: base 0x%x, BSP, enabled\n", (uint32_t)base & 0xFFFFF000u);

    pic_disable();
    uint32_t version = lapic_read(LAPIC_VERSION);
    if ((version & 0xFF) < 0x10) fail("integrated local APIC version");
    uint32_t id = lapic_read(LAPIC_ID) >> 24;
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
    if ((lapic_read(LAPIC_SVR) & 0x1FF) != (SVR_ENABLE | SPURIOUS_VECTOR)) fail("SVR reads back");
    lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);   /* the PIC no longer reaches the CPU */
    printf("local APIC %u enabled, spurious vector 0x%x\n", id, SPURIOUS_VECTOR);

    /* Timer: divide by 16, periodic, vector 0x40. */
    lapic_write(LAPIC_TIMER_DIVIDE, 0x3);
    lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | TIMER_VECTOR);
    lapic_write(LAPIC_TIMER_INITIAL, 100000);
    wait_for(&timer_ticks, TIMER_WANTED);
    uint32_t current = lapic_read(LAPIC_TIMER_CURRENT);
    if (current == 0 || current > 100000) fail("current count within the period");
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
    lapic_write(LAPIC_TIMER_INITIAL, 0);
    if (!isr_empty()) fail("ISR empty after the timer EOIs");
    printf("APIC timer: %u periodic interrupts on vector 0x%x\n", TIMER_WANTED, TIMER_VECTOR);

    uint32_t ioversion = ioapic_read(IOAPIC_VERSION);
    if ((ioversion & 0xFF) != 0x11 && (ioversion & 0xFF) != 0x20) fail("IO-APIC version");
    if (((ioversion >> 16) & 0xFF) != 23) fail("IO-APIC has 24 redirection entries");
    printf("IO-APIC: 24 redirection entries\n");

    /* PIT channel 0 at 100 Hz, ISA IRQ0 = IO-APIC pin 2, edge, fixed, physical destination id. */
    ioapic_write(IOAPIC_REDIR(2) + 1, id << 24);
    ioapic_write(IOAPIC_REDIR(2), PIT_VECTOR);
    outb(PIT_CMD, 0x34);
    outb(PIT_CH0, PIT_DIVISOR & 0xFF);
    outb(PIT_CH0, PIT_DIVISOR >> 8);
    wait_for(&pit_ticks, PIT_WANTED);
    ioapic_write(IOAPIC_REDIR(2), RTE_MASKED | PIT_VECTOR);
    printf("IO-APIC pin 2 (PIT IRQ0): %u interrupts on vector 0x%x\n", PIT_WANTED, PIT_VECTOR);

    /* RTC periodic interrupt at 1024 Hz, IRQ8 = pin 8, level-triggered. */
    ioapic_write(IOAPIC_REDIR(8) + 1, id << 24);
    ioapic_write(IOAPIC_REDIR(8), RTE_LEVEL | RTC_VECTOR);
    cmos_write(0x0A, (cmos_read(0x0A) & 0xF0) | 6);
    cmos_write(0x0B, cmos_read(0x0B) | 0x40);
    (void)cmos_read(0x0C);
    wait_for(&rtc_ticks, RTC_WANTED);
    cmos_write(0x0B, cmos_read(0x0B) & ~0x40);
    (void)cmos_read(0x0C);
    ioapic_write(IOAPIC_REDIR(8), RTE_MASKED | RTE_LEVEL | RTC_VECTOR);
    if (remote_irr_in_handler != rtc_ticks) fail("remote IRR set while the level interrupt is in service");
    if (ioapic_read(IOAPIC_REDIR(8)) & RTE_REMOTE_IRR) fail("remote IRR cleared by EOI");
    if (!isr_empty()) fail("ISR empty at the end");
    printf("IO-APIC pin 8 (RTC IRQ8, level): %u interrupts on vector 0x%x, remote IRR until EOI\n", RTC_WANTED, RTC_VECTOR);

    printf("APIC OK\n");
    qemu_exit(0x10);
}
