/* RTC guest: reads the CMOS clock in BCD, binary and 12-hour form, the memory-size bytes and NVRAM,
   then takes the periodic interrupt at 1024 Hz (rate 6) and one update-ended interrupt on IRQ8
   through the slave PIC, checking register C each time. Ends with "RTC OK" and qemu_exit(0x10). */
#include "guest.h"
#include "exit.h"
#include "interrupts.h"
#include "pic.h"
#include "io.h"
#include "printf.h"
#include "serial.h"

#define IRQ_BASE 0x20

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define REG_A 0x0A
#define REG_B 0x0B
#define REG_C 0x0C
#define REG_D 0x0D
#define A_UIP 0x80
#define B_PIE 0x40
#define B_UIE 0x10
#define B_BINARY 0x04
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_UF 0x10

#define PERIODIC_WANTED 64
#define VECTORS 48
#define NVRAM_PROBE 0x7E

/* The clock as read from registers 0, 2, 4, 7, 8, 9 and 0x32, decoded to binary. */
struct rtc_time {
    unsigned second, minute, hour, day, month, year;
};

static struct idt_gate idt[VECTORS];
static volatile uint32_t irq8_count;
static volatile uint32_t update_count;
static volatile uint8_t last_c;
static volatile uint8_t c_flags_seen;   /* OR of every register C value the handler read */

static void fail(const char *what)
{
    printf("FAIL: %s\n", what);
    qemu_exit(1);
}

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static void cmos_write(uint8_t reg, uint8_t value)
{
    outb(CMOS_INDEX, reg);
    outb(CMOS_DATA, value);
}

void interrupt_dispatch(struct frame *f)
{
    if (f->vector == IRQ_BASE + 8) {
        uint8_t c = cmos_read(REG_C);   /* reading C acknowledges the RTC and lowers IRQ8 */
        last_c = c;
        c_flags_seen |= c;
        irq8_count++;
        if (c & C_UF) update_count++;
        outb(PIC2_CMD, PIC_EOI);
        outb(PIC1_CMD, PIC_EOI);
        return;
    }
    if (f->vector == IRQ_BASE + 7 || f->vector == IRQ_BASE + 15) return;   /* spurious */
    printf("unexpected vector %u at eip 0x%x\n", f->vector, f->eip_or_error);
    qemu_exit(1);
}

static int bcd_valid(uint8_t v) { return (v & 0x0F) < 10 && (v >> 4) < 10; }
static unsigned bcd(uint8_t v) { return (v >> 4) * 10 + (v & 0x0F); }

static void wait_update_done(void)
{
    uint32_t spins = 0;
    while (cmos_read(REG_A) & A_UIP) {
        if (++spins > 10000000u) fail("UIP never cleared");
    }
}

/* Reads the clock in the current mode; binary says whether the registers hold binary values. */
static struct rtc_time read_time(int binary)
{
    wait_update_done();
    uint8_t raw[7] = { cmos_read(0x00), cmos_read(0x02), cmos_read(0x04), cmos_read(0x07),
                       cmos_read(0x08), cmos_read(0x09), cmos_read(0x32) };
    if (!binary) {
        for (int i = 0; i < 7; i++) {
            if (!bcd_valid(raw[i])) fail("time register holds a BCD value");
        }
    }
    unsigned v[7];
    for (int i = 0; i < 7; i++) v[i] = binary ? raw[i] : bcd(raw[i]);
    struct rtc_time t = { v[0], v[1], v[2], v[3], v[4], v[6] * 100 + v[5] };
    return t;
}

static void print_time(const char *label, struct rtc_time t)
{
    printf("rtc %s: %u-%02u-%02u %02u:%02u:%02u\n", label, t.year, t.month, t.day, t.hour, t.minute, t.second);
}

static void check_time_sane(struct rtc_time t)
{
    if (t.second > 59 || t.minute > 59 || t.hour > 23) fail("time of day in range");
    if (t.day < 1 || t.day > 31 || t.month < 1 || t.month > 12) fail("date in range");
    if (t.year < 2000 || t.year > 2199) fail("year with century");
}

/* sti; hlt until *counter reaches target. */
static void wait_for(volatile uint32_t *counter, uint32_t target)
{
    cli();
    while (*counter < target) {
        __asm__ volatile("sti; hlt; cli" : : : "memory");
    }
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    printf("rtc guest\n");

    uint8_t b = cmos_read(REG_B);
    if (!(b & B_24H)) fail("24-hour mode at boot");
    if (!(cmos_read(REG_D) & 0x80)) fail("register D: valid RAM and time");

    cmos_write(REG_B, b & ~B_BINARY);
    struct rtc_time in_bcd = read_time(0);
    check_time_sane(in_bcd);
    print_time("BCD", in_bcd);

    cmos_write(REG_B, b | B_BINARY);
    struct rtc_time in_binary = read_time(1);
    check_time_sane(in_binary);
    if (in_binary.year != in_bcd.year || in_binary.month != in_bcd.month || in_binary.day != in_bcd.day
        || in_binary.hour != in_bcd.hour || in_binary.minute != in_bcd.minute) {
        /* A minute boundary may fall between the two reads: allow exactly that. */
        if (in_bcd.second != 59) fail("binary and BCD readings agree");
    }
    print_time("binary", in_binary);

    cmos_write(REG_B, (b | B_BINARY) & ~B_24H);   /* binary, 12-hour */
    wait_update_done();
    uint8_t hour12 = cmos_read(0x04);
    cmos_write(REG_B, b | B_BINARY);
    unsigned hour24 = cmos_read(0x04);
    unsigned expect12 = hour24 % 12 == 0 ? 12 : hour24 % 12;
    if ((hour12 & 0x7F) != expect12 || !!(hour12 & 0x80) != (hour24 >= 12)) {
        if (in_binary.minute != 59) fail("12-hour reading matches the 24-hour one");
    }
    printf("12-hour: %u %s\n", hour12 & 0x7F, hour12 & 0x80 ? "PM" : "AM");
    cmos_write(REG_B, b & ~B_BINARY);             /* back to BCD, 24-hour */

    unsigned base = cmos_read(0x15) | (cmos_read(0x16) << 8);
    unsigned extended = cmos_read(0x17) | (cmos_read(0x18) << 8);
    unsigned extended2 = cmos_read(0x30) | (cmos_read(0x31) << 8);
    unsigned above16m = cmos_read(0x34) | (cmos_read(0x35) << 8);
    printf("cmos memory: base=%u KiB extended=%u KiB above16M=%u x 64 KiB\n", base, extended, above16m);
    if (base != 640) fail("640 KiB base memory");
    if (extended == 0 || extended != extended2) fail("extended memory in 0x17 and 0x30");

    uint8_t saved = cmos_read(NVRAM_PROBE);
    cmos_write(NVRAM_PROBE, 0xA5);
    if (cmos_read(NVRAM_PROBE) != 0xA5) fail("NVRAM byte keeps its value");
    cmos_write(NVRAM_PROBE, saved);

    idt_install_stubs(idt, VECTORS);
    pic_remap(IRQ_BASE, IRQ_BASE + 8);
    outb(PIC1_DATA, 0xFB);        /* the cascade only */
    outb(PIC2_DATA, 0xFE);        /* IRQ8 */

    (void)cmos_read(REG_C);
    uint8_t a = cmos_read(REG_A);
    cmos_write(REG_A, (a & 0xF0) | 0x06);         /* 1024 Hz */
    cmos_write(REG_B, cmos_read(REG_B) | B_PIE);
    wait_for(&irq8_count, PERIODIC_WANTED);
    cmos_write(REG_B, cmos_read(REG_B) & ~B_PIE);
    if ((last_c & (C_IRQF | C_PF)) != (C_IRQF | C_PF)) fail("register C shows IRQF and PF");
    printf("periodic: %u interrupts at 1024 Hz, register C 0x%02x\n", irq8_count, last_c & (C_IRQF | C_PF));

    cmos_write(REG_A, a & 0xF0);                  /* rate 0: no periodic flag any more */
    (void)cmos_read(REG_C);
    if (cmos_read(REG_C) != 0) fail("reading register C clears it");
    printf("register C cleared by reading\n");

    uint8_t second_before = cmos_read(0x00);
    uint32_t irqs_before = irq8_count;
    cmos_write(REG_B, cmos_read(REG_B) | B_UIE);
    wait_for(&update_count, 1);
    cmos_write(REG_B, cmos_read(REG_B) & ~B_UIE);
    uint8_t second_after = cmos_read(0x00);
    if (irq8_count != irqs_before + 1) fail("one update-ended interrupt");
    if (second_after == second_before) fail("the seconds register moved on at the update");
    printf("update-ended interrupt: UF, seconds %02x -> %02x\n", second_before, second_after);

    cmos_write(REG_A, a);
    outb(PIC2_DATA, 0xFF);
    printf("RTC OK\n");
    qemu_exit(0x10);
}
