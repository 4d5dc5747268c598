/* PIC + PIT guest: remaps the 8259A pair to 0x20/0x28, runs PIT channel 0 at 100 Hz in mode 2, counts
   IRQ0 ticks with sti; hlt, then checks the counter latch, read-back status, IRR latching of a masked
   IRQ, and PIT channel 2 gated through port 0x61. Ends with "PIC+PIT OK" and qemu_exit(0x10). */
#include "guest.h"
#include "exit.h"
#include "interrupts.h"
#include "pic.h"
#include "io.h"
#include "printf.h"
#include "serial.h"

#define OCW3_READ_IRR 0x0A
#define OCW3_READ_ISR 0x0B
#define IRQ_BASE 0x20

#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_HZ 1193182u
#define TICK_HZ 100u
#define PIT_DIVISOR ((PIT_HZ + TICK_HZ / 2) / TICK_HZ)   /* 11932 */
#define PORT_B 0x61

#define TICKS_WANTED 10
#define VECTORS 48

static struct idt_gate idt[VECTORS];
static volatile uint32_t ticks;
static volatile uint32_t spurious;

static void fail(const char *what)
{
    printf("FAIL: %s\n", what);
    qemu_exit(1);
}

void interrupt_dispatch(struct frame *f)
{
    if (f->vector == IRQ_BASE + 0) {
        ticks++;
        outb(PIC1_CMD, PIC_EOI);
        return;
    }
    if (f->vector == IRQ_BASE + 7) {
        outb(PIC1_CMD, OCW3_READ_ISR);
        if (!(inb(PIC1_CMD) & 0x80)) { spurious++; return; }   /* spurious: no EOI */
        outb(PIC1_CMD, PIC_EOI);
        return;
    }
    printf("unexpected vector %u at eip 0x%x\n", f->vector, f->eip_or_error);
    qemu_exit(1);
}

static uint16_t pit_latch_ch0(void)
{
    outb(PIT_CMD, 0x00);          /* counter latch, channel 0 */
    uint8_t lo = inb(PIT_CH0);
    uint8_t hi = inb(PIT_CH0);
    return (uint16_t)(lo | (hi << 8));
}

/* A short CPU-only pause, so polling loops do not flood the port bus. */
static void pause_a_little(void)
{
    for (volatile unsigned i = 0; i < 500; i++) {
    }
}

/* Waits with interrupts on until the tick count reaches target (the sti shadow covers the hlt). */
static void wait_ticks(uint32_t target)
{
    cli();
    while (ticks < target) {
        __asm__ volatile("sti; hlt; cli" : : : "memory");
    }
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic; (void)mbi;
    serial_init();
    printf("pic-pit guest\n");
    idt_install_stubs(idt, VECTORS);

    pic_remap(IRQ_BASE, IRQ_BASE + 8);
    if (inb(PIC1_DATA) != 0x00) fail("ICW1 clears the master IMR");
    outb(PIC1_DATA, 0xFE);        /* only IRQ0 */
    outb(PIC2_DATA, 0xFF);
    if (inb(PIC1_DATA) != 0xFE || inb(PIC2_DATA) != 0xFF) fail("IMR reads back");
    printf("PIC remapped to 0x%x/0x%x, IMR %x/%x\n", IRQ_BASE, IRQ_BASE + 8, inb(PIC1_DATA), inb(PIC2_DATA));

    outb(PIT_CMD, 0x34);          /* channel 0, lobyte/hibyte, mode 2, binary */
    outb(PIT_CH0, PIT_DIVISOR & 0xFF);
    outb(PIT_CH0, PIT_DIVISOR >> 8);
    printf("PIT channel 0: mode 2, divisor %u (%u Hz)\n", PIT_DIVISOR, TICK_HZ);

    wait_ticks(TICKS_WANTED);
    printf("ticks: %u\n", ticks);
    outb(PIC1_CMD, OCW3_READ_ISR);
    if (inb(PIC1_CMD) != 0) fail("ISR empty after the handlers' EOIs");

    uint16_t count = pit_latch_ch0();
    if (count == 0 || count > PIT_DIVISOR) fail("latched count within the period");
    outb(PIT_CMD, 0xE2);          /* read-back: status of channel 0 */
    uint8_t status = inb(PIT_CH0);
    if ((status & 0x3F) != 0x34) fail("read-back status: lobyte/hibyte, mode 2, binary");
    printf("latched count in range, status 0x%x\n", status & 0x3F);

    /* A masked IRQ0 still latches in IRR and is delivered once unmasked. */
    outb(PIC1_DATA, 0xFF);
    uint32_t before = ticks;
    uint32_t spins = 0;
    outb(PIC1_CMD, OCW3_READ_IRR);
    while (!(inb(PIC1_CMD) & 0x01)) {
        if (++spins > 1000000u) fail("IRQ0 never reached IRR while masked");
        pause_a_little();
    }
    __asm__ volatile("sti; nop; nop; cli" : : : "memory");
    if (ticks != before) fail("a masked IRQ must not be delivered");
    outb(PIC1_DATA, 0xFE);
    __asm__ volatile("sti; nop; nop; cli" : : : "memory");
    if (ticks != before + 1) fail("the latched IRQ0 arrives once unmasked");
    printf("masked IRQ0 latched in IRR, delivered after unmask\n");

    /* Channel 2, mode 0, gated by port 0x61 bit 0; OUT2 shows in bit 5. */
    outb(PORT_B, inb(PORT_B) & ~0x03);
    outb(PIT_CMD, 0xB0);          /* channel 2, lobyte/hibyte, mode 0 */
    outb(PIT_CH2, 1193 & 0xFF);   /* about 1 ms */
    outb(PIT_CH2, 1193 >> 8);
    if (inb(PORT_B) & 0x20) fail("OUT2 low after a mode 0 count");
    outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
    spins = 0;
    while (!(inb(PORT_B) & 0x20)) {
        if (++spins > 1000000u) fail("OUT2 never rose with GATE2 high");
        pause_a_little();
    }
    outb(PORT_B, inb(PORT_B) & ~0x03);
    printf("channel 2 one-shot through port 0x61 done\n");

    outb(PIC1_DATA, 0xFF);
    printf("spurious IRQ7: %u\n", spurious);
    printf("PIC+PIT OK\n");
    qemu_exit(0x10);
}
