/* SMP guest: the BSP copies the AP start-up code (trampoline.S) to 0x8000, sends INIT and then
   START-UP IPIs (vector 0x08) to all other CPUs through its local APIC's ICR, and waits until every
   CPU is counted. Each AP prints "CPU <APIC ID> up" on COM1 under a spinlock (lock xchg) and then
   adds itself to the counter (lock xadd). The number of CPUs comes from the command line
   ("cpus=N"), else from fw_cfg (FW_CFG_NB_CPUS). Ends with "SMP OK <n> CPUs" and qemu_exit(0x10);
   on a timeout it prints "SMP FAIL" and exits with qemu_exit(0x11). */
#include "guest.h"
#include "exit.h"
#include "io.h"
#include "multiboot.h"
#include "printf.h"
#include "serial.h"
#include "string.h"

#define LAPIC_BASE 0xFEE00000u
#define LAPIC_ID 0x020
#define LAPIC_SVR 0x0F0
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_ASSERT (1u << 14)
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_BUSY (1u << 12)

#define TRAMPOLINE_BASE 0x8000u
#define STARTUP_VECTOR (TRAMPOLINE_BASE >> 12)
#define MAX_CPUS 8

#define FW_CFG_SELECTOR 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_NB_CPUS 0x05

extern char smp_trampoline_start[], smp_trampoline_end[];

/* One 4 KiB stack per APIC ID (the trampoline picks its own). */
uint8_t ap_stacks[MAX_CPUS][4096] __attribute__((aligned(16)));

static volatile uint32_t cpus_up = 1;      /* the BSP counts itself */
static volatile uint32_t print_lock;

static inline uint32_t lapic_read(uint32_t reg) { return *(volatile uint32_t *)(LAPIC_BASE + reg); }
static inline void lapic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(LAPIC_BASE + reg) = v; }

static void lock(void)
{
    uint32_t taken = 1;
    for (;;) {
        __asm__ volatile("lock xchgl %0, %1" : "+r"(taken), "+m"(print_lock) : : "memory");
        if (!taken) return;
        while (print_lock) { }
        taken = 1;
    }
}

static void unlock(void)
{
    __asm__ volatile("" : : : "memory");
    print_lock = 0;
}

static uint32_t atomic_add(volatile uint32_t *p, uint32_t n)
{
    __asm__ volatile("lock xaddl %0, %1" : "+r"(n), "+m"(*p) : : "memory");
    return n;
}

void ap_main(void)
{
    uint32_t id = lapic_read(LAPIC_ID) >> 24;
    lock();
    printf("CPU %u up\n", (unsigned)id);
    unlock();
    atomic_add(&cpus_up, 1);
}

static void send_ipi(uint32_t low)
{
    lapic_write(LAPIC_ICR_HIGH, 0);
    lapic_write(LAPIC_ICR_LOW, low);
    while (lapic_read(LAPIC_ICR_LOW) & ICR_BUSY) { }
}

static void delay(uint32_t loops)
{
    for (volatile uint32_t k = 0; k < loops; k++) { }
}

/* "cpus=N" in the command line, or 0 when absent. */
static unsigned cpus_from_cmdline(const struct multiboot_info *mbi)
{
    if (!(mbi->flags & MULTIBOOT_INFO_CMDLINE)) return 0;
    const char *s = (const char *)mbi->cmdline;
    for (; *s; s++) {
        if ((s == (const char *)mbi->cmdline || s[-1] == ' ') && !strncmp(s, "cpus=", 5)) {
            unsigned n = 0;
            for (s += 5; *s >= '0' && *s <= '9'; s++) n = n * 10 + (unsigned)(*s - '0');
            return n;
        }
    }
    return 0;
}

static unsigned cpus_from_fw_cfg(void)
{
    outw(FW_CFG_SELECTOR, FW_CFG_NB_CPUS);
    unsigned lo = inb(FW_CFG_DATA);
    return lo | ((unsigned)inb(FW_CFG_DATA) << 8);
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    serial_init();
    unsigned n = cpus_from_cmdline(mbi);
    const char *source = "cmdline";
    if (n == 0) { n = cpus_from_fw_cfg(); source = "fw_cfg"; }
    if (n < 1 || n > MAX_CPUS) { printf("SMP FAIL: bad CPU count %u\n", n); qemu_exit(0x11); }
    printf("SMP: BSP APIC ID %u, %u CPUs (%s)\n", (unsigned)(lapic_read(LAPIC_ID) >> 24), n, source);

    memcpy((void *)TRAMPOLINE_BASE, smp_trampoline_start, (size_t)(smp_trampoline_end - smp_trampoline_start));
    lapic_write(LAPIC_SVR, 0x1FF);                                       /* software-enable, spurious 0xFF */
    send_ipi(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_INIT);
    delay(10000);
    send_ipi(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_STARTUP | STARTUP_VECTOR);
    delay(2000);
    send_ipi(ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_STARTUP | STARTUP_VECTOR);   /* ignored by started APs */

    for (uint32_t spins = 0; cpus_up < n; spins++) {
        if (spins > 200000000u) {
            lock();
            printf("SMP FAIL: %u of %u CPUs up\n", (unsigned)cpus_up, n);
            qemu_exit(0x11);
        }
    }
    lock();
    printf("SMP OK %u CPUs\n", (unsigned)cpus_up);
    qemu_exit(0x10);
}
