/* IDE guest: drives the primary ATA channel by PIO, polling (no interrupts). IDENTIFYs the master,
   reads sector 0 and checks the signature "HVDBG-DISK-TEST!" the test put there (32-bit data reads),
   writes a pattern to sector 1 and reads it back with READ SECTORS EXT and READ MULTIPLE, flushes,
   and, when the disk has more than 2^28 sectors, writes and reads sector 2^28 with the LBA48
   commands. Prints "IDE OK" and qemu_exit(0x10) (status 33), or "IDE FAILED: ..." and
   qemu_exit(0x11). With "triple-fault" on the command line it triple-faults right after writing
   sector 1 (no FLUSH CACHE), so a test can check the write still reached the image. */
#include <stdint.h>
#include "exit.h"
#include "guest.h"
#include "io.h"
#include "printf.h"
#include "serial.h"
#include "string.h"

#define ATA_DATA     0x1F0
#define ATA_ERROR    0x1F1
#define ATA_COUNT    0x1F2
#define ATA_LBA_LOW  0x1F3
#define ATA_LBA_MID  0x1F4
#define ATA_LBA_HIGH 0x1F5
#define ATA_DEVICE   0x1F6
#define ATA_STATUS   0x1F7   /* reads: status; writes: command */
#define ATA_ALT      0x3F6   /* reads: alternate status; writes: device control */

#define ST_BSY  0x80
#define ST_DRDY 0x40
#define ST_DRQ  0x08
#define ST_ERR  0x01

static const char signature[16] = "HVDBG-DISK-TEST!";
static uint16_t identify[256];
static uint8_t sector[2 * 512];
static uint8_t pattern[512];

static void __attribute__((noreturn)) fail(const char *what)
{
    printf("IDE FAILED: %s (status 0x%02x, error 0x%02x)\n", what, inb(ATA_ALT), inb(ATA_ERROR));
    qemu_exit(0x11);
}

/* Waits until BSY clears; then requires DRQ when want_drq, and no ERR. */
static void wait_ready(int want_drq, const char *what)
{
    uint8_t s;
    for (int k = 0; k < 4; k++) (void)inb(ATA_ALT);   /* the 400 ns settle after a command */
    for (uint32_t spins = 0;; spins++) {
        s = inb(ATA_ALT);
        if (!(s & ST_BSY)) break;
        if (spins > 10000000u) fail(what);
    }
    if (s & ST_ERR) fail(what);
    if (want_drq && !(s & ST_DRQ)) fail(what);
}

/* Sets up an LBA28 (ext = 0) or LBA48 (ext = 1) transfer of count sectors at lba and issues cmd. */
static void issue(uint8_t cmd, uint64_t lba, uint16_t count, int ext)
{
    if (ext) {
        outb(ATA_DEVICE, 0xE0);
        outb(ATA_COUNT, count >> 8);
        outb(ATA_LBA_LOW, (uint8_t)(lba >> 24));
        outb(ATA_LBA_MID, (uint8_t)(lba >> 32));
        outb(ATA_LBA_HIGH, (uint8_t)(lba >> 40));
    } else {
        outb(ATA_DEVICE, 0xE0 | ((lba >> 24) & 0x0F));
    }
    outb(ATA_COUNT, (uint8_t)count);
    outb(ATA_LBA_LOW, (uint8_t)lba);
    outb(ATA_LBA_MID, (uint8_t)(lba >> 8));
    outb(ATA_LBA_HIGH, (uint8_t)(lba >> 16));
    outb(ATA_STATUS, cmd);
}

/* Reads one sector with 32-bit (wide) or 16-bit data-port reads. */
static void read_block(uint8_t *buf, unsigned sectors, int wide)
{
    if (wide) {
        uint32_t *p = (uint32_t *)buf;
        for (unsigned k = 0; k < sectors * 128; k++) p[k] = inl(ATA_DATA);
    } else {
        uint16_t *p = (uint16_t *)buf;
        for (unsigned k = 0; k < sectors * 256; k++) p[k] = inw(ATA_DATA);
    }
}

static void write_sector(uint8_t cmd, uint64_t lba, const uint8_t *buf, int ext)
{
    issue(cmd, lba, 1, ext);
    wait_ready(1, "write: no DRQ");
    const uint16_t *p = (const uint16_t *)buf;
    for (int k = 0; k < 256; k++) outw(ATA_DATA, p[k]);
    wait_ready(0, "write: error after the data");
}

static int has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (; *text; text++)
        if (strncmp(text, word, n) == 0 && (text[n] == 0 || text[n] == ' ')) return 1;
    return 0;
}

static void __attribute__((noreturn)) triple_fault(void)
{
    static const struct { uint16_t limit; uint32_t base; } __attribute__((packed)) empty_idt = { 0, 0 };
    __asm__ volatile("lidt %0\n\t.byte 0xcd, 0x03" : : "m"(empty_idt) : "memory");
    guest_halt();
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    (void)magic;
    int crash = (mbi->flags & MULTIBOOT_INFO_CMDLINE) && has_word((const char *)mbi->cmdline, "triple-fault");
    serial_init();
    printf("ide guest\n");

    outb(ATA_ALT, 0x02);                               /* nIEN: we poll */
    outb(ATA_DEVICE, 0xA0);                            /* master */
    uint8_t s = inb(ATA_STATUS);
    if (s == 0xFF || s == 0x7F || s == 0x00) fail("no master drive");

    outb(ATA_STATUS, 0xEC);                            /* IDENTIFY DEVICE */
    wait_ready(1, "IDENTIFY");
    read_block((uint8_t *)identify, 1, 0);
    char model[41];
    for (int k = 0; k < 20; k++) { model[2 * k] = identify[27 + k] >> 8; model[2 * k + 1] = identify[27 + k] & 0xFF; }
    model[40] = 0;
    for (int k = 39; k >= 0 && model[k] == ' '; k--) model[k] = 0;
    uint32_t lba28 = identify[60] | ((uint32_t)identify[61] << 16);
    uint64_t lba48 = identify[100] | ((uint64_t)identify[101] << 16) | ((uint64_t)identify[102] << 32) | ((uint64_t)identify[103] << 48);
    int has48 = (identify[83] & 0xC400) == 0x4400;
    printf("identify: model '%s', lba28 sectors %u, lba48 %s, multiple up to %u\n",
           model, lba28, has48 ? "yes" : "no", identify[47] & 0xFF);

    issue(0x20, 0, 1, 0);                              /* READ SECTORS: sector 0 */
    wait_ready(1, "READ SECTORS");
    read_block(sector, 1, 1);
    wait_ready(0, "READ SECTORS end");
    if (memcmp(sector, signature, 16) != 0) fail("sector 0 has no HVDBG-DISK-TEST! signature");
    printf("sector 0: signature ok\n");

    for (int k = 0; k < 512; k++) pattern[k] = (uint8_t)(k * 7 + 0x5A);
    write_sector(0x30, 1, pattern, 0);                 /* WRITE SECTORS: sector 1 */
    printf("sector 1: written\n");
    if (crash) { printf("triple-faulting before FLUSH CACHE\n"); triple_fault(); }

    memset(sector, 0, sizeof sector);
    if (has48) {
        issue(0x24, 1, 1, 1);                          /* READ SECTORS EXT: sector 1 */
        wait_ready(1, "READ SECTORS EXT");
        read_block(sector, 1, 0);
        wait_ready(0, "READ SECTORS EXT end");
        if (memcmp(sector, pattern, 512) != 0) fail("sector 1 read back differs");
    }
    outb(ATA_COUNT, 2);                                /* SET MULTIPLE 2, READ MULTIPLE sectors 0-1 */
    outb(ATA_STATUS, 0xC6);
    wait_ready(0, "SET MULTIPLE");
    memset(sector, 0, sizeof sector);
    issue(0xC4, 0, 2, 0);
    wait_ready(1, "READ MULTIPLE");
    read_block(sector, 2, 0);
    wait_ready(0, "READ MULTIPLE end");
    if (memcmp(sector, signature, 16) != 0 || memcmp(sector + 512, pattern, 512) != 0) fail("READ MULTIPLE data differs");
    printf("sector 1: read back ok\n");

    outb(ATA_STATUS, 0xE7);                            /* FLUSH CACHE */
    wait_ready(0, "FLUSH CACHE");

    const uint64_t high = 1ull << 28;
    if (has48 && lba48 > high) {
        for (int k = 0; k < 512; k++) pattern[k] = (uint8_t)(k ^ 0xA5);
        write_sector(0x34, high, pattern, 1);          /* WRITE SECTORS EXT beyond LBA28 */
        memset(sector, 0, sizeof sector);
        issue(0x24, high, 1, 1);
        wait_ready(1, "READ SECTORS EXT high");
        read_block(sector, 1, 0);
        wait_ready(0, "READ SECTORS EXT high end");
        if (memcmp(sector, pattern, 512) != 0) fail("sector 2^28 read back differs");
        outb(ATA_STATUS, 0xEA);                        /* FLUSH CACHE EXT */
        wait_ready(0, "FLUSH CACHE EXT");
        printf("lba48: sector 2^28 written and read back ok\n");
    } else {
        printf("lba48: skipped (disk not larger than 2^28 sectors)\n");
    }
    printf("IDE OK\n");
    qemu_exit(0x10);
}
